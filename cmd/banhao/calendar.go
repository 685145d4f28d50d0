package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/calendar"
	"banhao.dev/banhao/internal/platform/config"
)

// cmdCalendar: calendar is-working DATE | add --from DATE --days N | import FILE.
// Any date in a year without schedule data is an error (non-zero exit), never a guess.
func cmdCalendar(ctx context.Context, env *cliEnv, args []string) error {
	const usage = "用法：banhao calendar is-working DATE | calendar add --from DATE --days N | calendar import FILE [--format json|csv]"
	if len(args) == 0 {
		return usageError{usage}
	}
	cfg := config.Default()
	fs := newFlags("calendar "+args[0], env, &cfg, "db", "log-format", "log-level")
	from := fs.String("from", "", "起算日期 YYYY-MM-DD（当日不计）")
	days := fs.Int("days", -1, "工作日天数")
	format := fs.String("format", "", "导入文件格式：json 或 csv（默认按扩展名）")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	// Check the command line before touching (or creating) a database.
	switch args[0] {
	case "is-working", "import":
		if fs.NArg() != 1 {
			return usageError{usage}
		}
	case "add":
		if *from == "" || *days < 0 || fs.NArg() != 0 {
			return usageError{usage}
		}
	default:
		return usageError{usage}
	}
	a, err := open(ctx, cfg, env, true)
	if err != nil {
		return err
	}
	defer a.close()
	switch args[0] {
	case "is-working":
		d, err := calendar.ParseDate(fs.Arg(0))
		if err != nil {
			return err
		}
		working, name, err := a.cal.IsWorking(ctx, d)
		if err != nil {
			return err
		}
		state := "休息日"
		if working {
			state = "工作日"
		}
		if name != "" {
			state += "（" + name + "）"
		}
		fmt.Fprintf(env.stdout, "%s %s %s\n", d, d.WeekdayName(), state)
	case "add":
		d, err := calendar.ParseDate(*from)
		if err != nil {
			return err
		}
		out, err := a.cal.AddWorkingDays(ctx, d, *days)
		if err != nil {
			return err
		}
		fmt.Fprintln(env.stdout, out)
	case "import":
		path := fs.Arg(0)
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		fm := strings.ToLower(*format)
		if fm == "" {
			fm = calendar.FormatJSON
			if strings.EqualFold(filepath.Ext(path), ".csv") {
				fm = calendar.FormatCSV
			}
		}
		res, err := a.cal.Import(ctx, auth.SystemPrincipal().Actor(auth.Admin), f, fm)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "已导入 %d 年日历：%d 条安排（替换 %d 条）\n", res.Year, res.Days, res.Replaced)
	default:
		return usageError{usage}
	}
	return nil
}
