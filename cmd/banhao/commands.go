package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"banhao.dev/banhao/internal/demo"
	"banhao.dev/banhao/internal/platform/audit"
	"banhao.dev/banhao/internal/platform/auth"
	"banhao.dev/banhao/internal/platform/calendar"
	"banhao.dev/banhao/internal/platform/config"
	"banhao.dev/banhao/internal/platform/db"
)

func cmdServe(ctx context.Context, env *cliEnv, args []string) error {
	cfg := config.Default()
	fs := newFlags("serve", env, &cfg)
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := open(ctx, cfg, env, cfg.AutoMigrate)
	if err != nil {
		return err
	}
	defer a.close()
	return a.serve(ctx, env, func(url string) { fmt.Fprintf(env.stdout, "banhao 已启动：%s\n", url) })
}

func cmdDemo(ctx context.Context, env *cliEnv, args []string) error {
	cfg := config.Default()
	cfg.Demo = true
	fs := newFlags("demo", env, &cfg)
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg.Demo = true
	a, err := open(ctx, cfg, env, true)
	if err != nil {
		return err
	}
	defer a.close()
	empty, err := demo.IsEmpty(ctx, a.db)
	if err != nil {
		return err
	}
	if empty {
		fmt.Fprintln(env.stdout, "空数据库：正在写入示范市演示数据……")
		if err := a.seedDemo(ctx); err != nil {
			return err
		}
	}
	return a.serve(ctx, env, func(url string) {
		fmt.Fprintf(env.stdout, "\nbanhao 演示环境已启动，请在浏览器打开：%s\n\n演示账号（密码均为 %s）：\n", url, demo.Password)
		for _, acc := range demo.Accounts() {
			// Pad by display width: a Chinese character takes two columns.
			role := acc.Role.Name()
			pad := 20 - displayWidth(role)
			if pad < 1 {
				pad = 1
			}
			fmt.Fprintf(env.stdout, "  %s%s%-20s %s（%s）\n", role, strings.Repeat(" ", pad), acc.Login, acc.Name, acc.Note)
		}
		fmt.Fprintln(env.stdout, "\n按 Ctrl+C 停止。")
	})
}

func cmdMigrate(ctx context.Context, env *cliEnv, args []string) error {
	cfg := config.Default()
	fs := newFlags("migrate", env, &cfg, "db", "log-format", "log-level")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err.Error()}
	}
	d, err := db.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer d.Close()
	applied, err := d.Migrate(ctx, time.Now().UTC())
	if err != nil {
		return err
	}
	if err := d.Tx(ctx, func(tx *sql.Tx) error { return calendar.SeedOfficial(ctx, tx, time.Now().UTC()) }); err != nil {
		return fmt.Errorf("load official calendar: %w", err)
	}
	v, _ := d.SchemaVersion(ctx)
	fmt.Fprintf(env.stdout, "已执行 %d 个迁移，数据库结构版本 %d\n", len(applied), v)
	return nil
}

func cmdSeed(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) == 0 || args[0] != "demo" {
		return usageError{"用法：banhao seed demo [--db URL]"}
	}
	cfg := config.Default()
	fs := newFlags("seed demo", env, &cfg, "db", "log-format", "log-level")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	a, err := open(ctx, cfg, env, true)
	if err != nil {
		return err
	}
	defer a.close()
	if err := a.seedDemo(ctx); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "演示数据已写入（密码均为 %s）\n", demo.Password)
	return nil
}

func cmdUser(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		return usageError{"用法：banhao user add --db URL --login L --password P --role R [--role R2] [--name N] [--org ID] [--region CODE]"}
	}
	cfg := config.Default()
	fs := newFlags("user add", env, &cfg, "db", "log-format", "log-level")
	login := fs.String("login", "", "登录账号")
	password := fs.String("password", "", "密码（8 位以上，含字母和数字）")
	name := fs.String("name", "", "姓名（默认同账号）")
	org := fs.Int64("org", 0, "所属单位编号")
	region := fs.String("region", "", "管辖区划代码")
	var roles multiFlag
	fs.Var(&roles, "role", "角色（可重复或以逗号分隔）："+roleList())
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if err := firstNonNil(need("login", *login), need("password", *password), need("role", strings.Join(roles, ""))); err != nil {
		return err
	}
	a, err := open(ctx, cfg, env, true)
	if err != nil {
		return err
	}
	defer a.close()
	if *name == "" {
		*name = *login
	}
	var rs []auth.Role
	for _, r := range roles {
		rs = append(rs, auth.Role(r))
	}
	u, err := a.auth.CreateUser(ctx, auth.SystemPrincipal(), auth.NewUser{Kind: auth.KindStaff, Login: *login, Name: *name,
		Password: *password, Roles: rs, OrgID: *org, RegionCode: *region})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "已创建用户 %s（编号 %d，角色 %v）\n", u.Login, u.ID, u.Roles)
	return nil
}

func roleList() string {
	var s []string
	for _, r := range auth.StaffRoles {
		s = append(s, string(r))
	}
	return strings.Join(s, ", ")
}

type multiFlag []string

func (m *multiFlag) String() string { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*m = append(*m, p)
		}
	}
	return nil
}

func firstNonNil(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func cmdToken(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) == 0 {
		return usageError{"用法：banhao token create --login L [--name N] | token revoke --id N | token list --login L"}
	}
	cfg := config.Default()
	fs := newFlags("token "+args[0], env, &cfg, "db", "log-format", "log-level")
	login := fs.String("login", "", "登录账号")
	name := fs.String("name", "cli", "令牌用途说明")
	id := fs.Int64("id", 0, "令牌编号（revoke）")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	a, err := open(ctx, cfg, env, false)
	if err != nil {
		return err
	}
	defer a.close()
	sys := auth.SystemPrincipal()
	switch args[0] {
	case "create":
		if err := need("login", *login); err != nil {
			return err
		}
		secret, t, err := a.auth.CreateToken(ctx, sys, *login, *name)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "已为 %s 创建令牌（编号 %d），请妥善保存，它只显示这一次：\n%s\n", *login, t.ID, secret)
	case "revoke":
		if *id == 0 {
			return usageError{"缺少参数 --id"}
		}
		if err := a.auth.RevokeToken(ctx, sys, *id); err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "令牌 %d 已撤销\n", *id)
	case "list":
		if err := need("login", *login); err != nil {
			return err
		}
		u, err := a.auth.UserByLogin(ctx, *login)
		if err != nil {
			return err
		}
		toks, err := a.auth.ListTokens(ctx, sys, u.ID)
		if err != nil {
			return err
		}
		for _, t := range toks {
			state := "有效"
			if t.RevokedAt != nil {
				state = "已撤销"
			}
			fmt.Fprintf(env.stdout, "%d\t%s\t%s\t%s\n", t.ID, t.Name, t.CreatedAt.Format(time.RFC3339), state)
		}
	default:
		return usageError{"未知的 token 子命令 " + args[0]}
	}
	return nil
}

// verifyError makes a broken chain exit with status 3.
type verifyError struct{ n int }

func (e verifyError) Error() string { return fmt.Sprintf("发现 %d 条断裂的哈希链", e.n) }
func (e verifyError) ExitCode() int { return 3 }

func cmdAudit(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		return usageError{"用法：banhao audit verify [--db URL] [--stream PREFIX]"}
	}
	cfg := config.Default()
	fs := newFlags("audit verify", env, &cfg, "db", "log-format", "log-level")
	prefix := fs.String("stream", "", "只校验以此开头的记录流，如 case/")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	a, err := open(ctx, cfg, env, false)
	if err != nil {
		return err
	}
	defer a.close()
	res, err := audit.Verify(ctx, a.db.R, *prefix)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "已校验 %d 条记录流、%d 个事件\n", res.Streams, res.Events)
	if len(res.Broken) == 0 {
		fmt.Fprintln(env.stdout, "全部哈希链完整")
		return nil
	}
	for _, b := range res.Broken {
		fmt.Fprintf(env.stdout, "断点：%s\n", b)
	}
	return verifyError{len(res.Broken)}
}

func cmdBackup(ctx context.Context, env *cliEnv, args []string) error {
	cfg := config.Default()
	fs := newFlags("backup", env, &cfg, "db", "log-format", "log-level")
	out := fs.String("out", "", "备份文件路径（不得已存在）")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := need("out", *out); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err.Error()}
	}
	d, err := db.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer d.Close()
	if d.Engine != db.SQLite {
		return fmt.Errorf("PostgreSQL 请使用 pg_dump 或 pg_basebackup 备份（见 README）")
	}
	// VACUUM INTO writes a consistent, compacted copy from one read
	// transaction, so the server may keep writing meanwhile.
	if _, err := d.W.ExecContext(ctx, `VACUUM INTO $1`, *out); err != nil {
		return fmt.Errorf("backup to %s: %w", *out, err)
	}
	fmt.Fprintf(env.stdout, "已备份到 %s\n", *out)
	return nil
}

// displayWidth counts terminal columns: wide (CJK) runes take two.
func displayWidth(s string) int {
	w := 0
	for _, r := range s {
		if r >= 0x1100 {
			w += 2
		} else {
			w++
		}
	}
	return w
}
