package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"

	"banhao.dev/banhao/internal/catalog"
	"banhao.dev/banhao/internal/platform/config"
)

const (
	importUsage = "用法：banhao import items FILE.xlsx [--db URL] [--submit]"
	exportUsage = "用法：banhao export items FILE.xlsx [--db URL] [--region CODE]"
)

// parseAll parses flags that may come before, between or after the
// positional arguments ("import items FILE.xlsx --submit") and returns the
// positional ones.
func parseAll(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parse(fs, args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// cmdImport imports an item workbook. Every row is validated first; on any
// error each one is printed with its sheet, row and column, nothing is
// written and the exit code is 1.
func cmdImport(ctx context.Context, env *cliEnv, args []string) error {
	cfg := config.Default()
	fs := newFlags("import", env, &cfg, "db", "log-format", "log-level")
	submit := fs.Bool("submit", false, "导入后直接提交审核")
	pos, err := parseAll(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || pos[0] != "items" {
		return usageError{importUsage}
	}
	data, err := os.ReadFile(pos[1])
	if err != nil {
		return fmt.Errorf("读取工作簿：%w", err)
	}
	a, err := open(ctx, cfg, env, true)
	if err != nil {
		return err
	}
	defer a.close()
	rep, err := a.cat.ImportExcel(ctx, catalog.System, bytes.NewReader(data), catalog.ImportOptions{Submit: *submit})
	if err != nil { // an ErrImport lists every bad cell (sheet, row, column, message) in its text
		return err
	}
	state := "草稿"
	if *submit {
		state = "待审核版本"
	}
	fmt.Fprintf(env.stdout, "导入完成：新建 %d 项，更新 %d 项（均保存为%s）\n", rep.Created, rep.Updated, state)
	for _, c := range rep.Codes {
		fmt.Fprintln(env.stdout, c)
	}
	return nil
}

// cmdExport writes the published catalog of a region (all regions by
// default) in the import format.
func cmdExport(ctx context.Context, env *cliEnv, args []string) error {
	cfg := config.Default()
	fs := newFlags("export", env, &cfg, "db", "log-format", "log-level")
	region := fs.String("region", "", "只导出该区划（含下级）的事项")
	pos, err := parseAll(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || pos[0] != "items" {
		return usageError{exportUsage}
	}
	a, err := open(ctx, cfg, env, false)
	if err != nil {
		return err
	}
	defer a.close()
	var buf bytes.Buffer
	if err := a.cat.ExportExcel(ctx, *region, &buf); err != nil {
		return err
	}
	if err := os.WriteFile(pos[1], buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("写入工作簿：%w", err)
	}
	fmt.Fprintf(env.stdout, "已导出到 %s\n", pos[1])
	return nil
}
