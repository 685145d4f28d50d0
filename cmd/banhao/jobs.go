package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"banhao.dev/banhao/internal/platform/clock"
	"banhao.dev/banhao/internal/platform/config"
)

const jobUsage = "用法：banhao job list [--db URL] | banhao job run NAME [--db URL]"

// cmdJob lists the background jobs or runs one once, with the same wiring
// as serve, so an operator can run any job by hand (e.g. from cron while the
// server's jobs are disabled). The lease keeps a CLI run from overlapping a
// run of the same job in a serving node.
func cmdJob(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "run") {
		return usageError{jobUsage}
	}
	sub, rest := args[0], args[1:]
	name := ""
	if sub == "run" && len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		name, rest = rest[0], rest[1:]
	}
	cfg := config.Default()
	fs := newFlags("job "+sub, env, &cfg, "db", "log-format", "log-level")
	if err := parse(fs, rest); err != nil {
		return err
	}
	if sub == "run" && name == "" {
		name = fs.Arg(0)
	}
	if sub == "run" && name == "" {
		return usageError{"缺少任务名。" + jobUsage}
	}
	a, err := open(ctx, cfg, env, false)
	if err != nil {
		return err
	}
	defer a.close()
	if sub == "list" {
		return a.listJobs(ctx, env)
	}
	start := time.Now()
	if err := a.jobs.RunOnce(ctx, name); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "任务 %s 已运行完成（用时 %s）\n", name, time.Since(start).Round(time.Millisecond))
	return nil
}

func (a *app) listJobs(ctx context.Context, env *cliEnv) error {
	st, err := a.jobs.Status(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "任务\t周期\t状态\t租约持有者\t最近开始\t最近结束\t最近错误")
	for _, j := range st {
		state := "空闲"
		switch {
		case j.Running:
			state = "运行中"
		case j.LastStartedAt.IsZero():
			state = "尚未运行"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", j.Name, j.Every, state, dash(j.Holder), when(j.LastStartedAt), when(j.LastFinishedAt), dash(j.LastError))
	}
	return tw.Flush()
}

func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(clock.Shanghai).Format("2006-01-02 15:04:05")
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
