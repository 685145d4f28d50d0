// Command banhao is the one binary of the banhao government-service
// platform: server, demo, migrations, seeding and operator commands.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"banhao.dev/banhao/internal/platform/config"
	"banhao.dev/banhao/internal/platform/errs"

	_ "time/tzdata" // Asia/Shanghai on machines without zoneinfo
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, env *cliEnv, args []string) error
}

// cliEnv is what every subcommand gets.
type cliEnv struct {
	getenv         func(string) string
	stdout, stderr io.Writer
}

func commands() map[string]command {
	return map[string]command{
		"serve":    {"启动服务（门户、工作台、API、后台任务）", cmdServe},
		"demo":     {"空库时写入示范数据，然后以演示模式启动服务并打印演示账号", cmdDemo},
		"migrate":  {"执行数据库结构迁移", cmdMigrate},
		"seed":     {"写入数据：seed demo", cmdSeed},
		"user":     {"用户管理：user add", cmdUser},
		"token":    {"API 令牌：token create | revoke | list", cmdToken},
		"audit":    {"审计：audit verify（校验哈希链，指出第一个断点）", cmdAudit},
		"calendar": {"工作日历：calendar is-working DATE | add --from DATE --days N | import FILE", cmdCalendar},
		"backup":   {"备份 SQLite 数据库（服务运行中亦可）：backup --out FILE", cmdBackup},
		"version":  {"显示版本", cmdVersion},
		"help":     {"显示帮助", nil},
		"job":      {"后台任务：job list | job run NAME（立即运行一次）", cmdJob},
		"bench":    {"性能测试：bench cases（通过 HTTP API 驱动办件全流程）", cmdBench},
		"generate": {"生成大规模数据：generate [--cases N] [--items N]（先写入示范数据，再批量写入办件与事项，用于规模测试）", cmdGenerate},
		"simulate": {"模拟运行：按演示时钟逐日驱动 HTTP API，生成一段时期的真实业务并输出监督统计", cmdSimulate},
		"import":   {"导入事项清单：import items FILE.xlsx [--submit]（任何一处错误都不导入）", cmdImport},
		"export":   {"导出事项清单：export items FILE.xlsx [--region CODE]", cmdExport},
	}
}

// run is main without globals, so tests can call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	env := &cliEnv{getenv: getenv, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return 0
	}
	cmd, ok := commands()[args[0]]
	if !ok || cmd.run == nil {
		fmt.Fprintf(stderr, "未知命令 %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	if err := cmd.run(ctx, env, args[1:]); err != nil {
		fmt.Fprintf(stderr, "banhao %s: %s\n", args[0], cliMessage(err))
		if e, ok := err.(interface{ ExitCode() int }); ok {
			return e.ExitCode()
		}
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "banhao — 办好 · 一体化政务服务平台")
	fmt.Fprintln(w, "\n用法: banhao <命令> [参数]\n\n命令:")
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\n每个涉及数据的命令都接受 --db URL（sqlite:FILE 或 postgres://…，默认 sqlite:./banhao.db）。")
	fmt.Fprintln(w, "参数也可用环境变量设置（命令行参数优先）：")
	cfg := config.Default()
	fs := flag.NewFlagSet("banhao", flag.ContinueOnError)
	cfg.Flags(fs, func(string) string { return "" })
	fs.SetOutput(w)
	fs.PrintDefaults()
	fmt.Fprintln(w, "\n用 banhao <命令> -h 查看该命令的全部参数。")
}

// cliMessage is what the operator reads for err: the Chinese message (and
// failing fields) of a business error, the text of anything else.
func cliMessage(err error) string {
	e, ok := errs.As(err)
	if !ok {
		return err.Error()
	}
	if len(e.Fields) == 1 && e.Fields[0].Message == e.Message {
		return e.Fields[0].Field + "：" + e.Message
	}
	var b strings.Builder
	b.WriteString(e.Message)
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "\n  %s：%s", f.Field, f.Message)
	}
	return b.String()
}

func cmdVersion(_ context.Context, env *cliEnv, _ []string) error {
	fmt.Fprintln(env.stdout, "banhao", version)
	return nil
}

// usageError is a bad command line (exit 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }
func (e usageError) ExitCode() int { return 2 }

func need(name, v string) error {
	if strings.TrimSpace(v) == "" {
		return usageError{"缺少参数 --" + name}
	}
	return nil
}
