// Package config is banhao's one configuration struct, filled from flags and
// BANHAO_* environment variables (flags win), with defaults in code.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config holds every setting of the binary.
type Config struct {
	DB          string // database URL: sqlite:FILE or postgres://…
	Addr        string // listen address of serve
	BaseURL     string // public URL, used in QR codes and links
	Demo        bool   // demo mode: movable clock, demo banner
	BlobDir     string // local blob store directory
	MaxUploadMB int    // per-file upload limit
	// MemoryLimitMB is serve's soft memory limit for the Go runtime (0:
	// none; GOMEMLIMIT, when set, takes precedence).
	MemoryLimitMB int
	LogFormat     string        // text or json
	LogLevel      string        // debug, info, warn, error
	AutoMigrate   bool          // migrate at serve start
	SecureCookie  bool          // Secure flag on cookies (behind TLS)
	SessionTTL    time.Duration // login lifetime
	Node          string        // node name for job leases (defaults to hostname+pid)
	JobsEnabled   bool          // run background jobs in serve
	// RatingsWebhook is the external evaluation system (the provincial 好差评
	// platform) ratings and rectifications are pushed to; "" keeps them local.
	RatingsWebhook       string
	RatingsWebhookSecret string // HMAC key of the pushes (secret)
}

// Default returns the defaults.
func Default() Config {
	return Config{
		DB: "sqlite:./banhao.db", Addr: "127.0.0.1:8080", BlobDir: "./data/blobs", MaxUploadMB: 20, MemoryLimitMB: 120,
		LogFormat: "text", LogLevel: "info", AutoMigrate: true, SessionTTL: 12 * time.Hour, JobsEnabled: true,
	}
}

// Flags registers the flags relevant to a subcommand on fs, with defaults
// taken from the environment. which lists the flag names wanted ("db",
// "addr", …); nil means all.
func (c *Config) Flags(fs *flag.FlagSet, getenv func(string) string, which ...string) {
	want := func(n string) bool {
		if len(which) == 0 {
			return true
		}
		for _, w := range which {
			if w == n {
				return true
			}
		}
		return false
	}
	env := func(name, def string) string {
		if v := getenv("BANHAO_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))); v != "" {
			return v
		}
		return def
	}
	envBool := func(name string, def bool) bool {
		v, err := strconv.ParseBool(env(name, strconv.FormatBool(def)))
		if err != nil {
			return def
		}
		return v
	}
	str := func(p *string, name, usage string) {
		if want(name) {
			fs.StringVar(p, name, env(name, *p), usage+" (env BANHAO_"+strings.ToUpper(strings.ReplaceAll(name, "-", "_"))+")")
		}
	}
	boolean := func(p *bool, name, usage string) {
		if want(name) {
			fs.BoolVar(p, name, envBool(name, *p), usage+" (env BANHAO_"+strings.ToUpper(strings.ReplaceAll(name, "-", "_"))+")")
		}
	}
	str(&c.DB, "db", "数据库地址：sqlite:FILE 或 postgres://user@host/db")
	str(&c.Addr, "addr", "监听地址")
	str(&c.BaseURL, "base-url", "对外访问地址，用于链接和二维码（默认 http://ADDR）")
	boolean(&c.Demo, "demo", "演示模式：管理员可调整的模拟时钟")
	str(&c.BlobDir, "blob-dir", "本地文件存储目录")
	if want("max-upload-mb") {
		def := c.MaxUploadMB
		if v, err := strconv.Atoi(env("max-upload-mb", "")); err == nil {
			def = v
		}
		fs.IntVar(&c.MaxUploadMB, "max-upload-mb", def, "单个上传文件大小上限（MB）(env BANHAO_MAX_UPLOAD_MB)")
	}
	if want("memory-limit-mb") {
		def := c.MemoryLimitMB
		if v, err := strconv.Atoi(env("memory-limit-mb", "")); err == nil {
			def = v
		}
		fs.IntVar(&c.MemoryLimitMB, "memory-limit-mb", def, "serve 的软内存上限（MB，0 为不限；设置了 GOMEMLIMIT 时以其为准）(env BANHAO_MEMORY_LIMIT_MB)")
	}
	str(&c.LogFormat, "log-format", "日志格式：text 或 json")
	str(&c.LogLevel, "log-level", "日志级别：debug、info、warn、error")
	boolean(&c.AutoMigrate, "auto-migrate", "启动时执行数据库迁移")
	boolean(&c.SecureCookie, "secure-cookie", "Cookie 加 Secure 标记并发送 HSTS（部署在 HTTPS 之后）")
	boolean(&c.JobsEnabled, "jobs", "在本进程运行后台任务")
	str(&c.Node, "node", "节点名称，用于后台任务租约（默认 主机名-进程号）")
	str(&c.RatingsWebhook, "ratings-webhook", "好差评推送地址：外部（省级）好差评系统接收评价的 URL")
	str(&c.RatingsWebhookSecret, "ratings-webhook-secret", "好差评推送的 HMAC 签名密钥")
	if want("session-ttl") {
		def := c.SessionTTL
		if v, err := time.ParseDuration(env("session-ttl", "")); err == nil {
			def = v
		}
		fs.DurationVar(&c.SessionTTL, "session-ttl", def, "登录有效期 (env BANHAO_SESSION_TTL)")
	}
}

// Validate checks the settings.
func (c *Config) Validate() error {
	var errs []error
	if !strings.HasPrefix(c.DB, "sqlite:") && !strings.HasPrefix(c.DB, "postgres://") && !strings.HasPrefix(c.DB, "postgresql://") {
		errs = append(errs, fmt.Errorf("--db 应为 sqlite:FILE 或 postgres://…，而不是 %q", c.DB))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("--log-format 应为 text 或 json"))
	}
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("--log-level 应为 debug、info、warn 或 error"))
	}
	if c.MaxUploadMB <= 0 || c.MaxUploadMB > 1024 {
		errs = append(errs, fmt.Errorf("--max-upload-mb 应在 1 到 1024 之间"))
	}
	if c.MemoryLimitMB < 0 {
		errs = append(errs, fmt.Errorf("--memory-limit-mb 不能为负数"))
	}
	if c.SessionTTL < time.Minute {
		errs = append(errs, fmt.Errorf("--session-ttl 至少为 1m"))
	}
	return errors.Join(errs...)
}

// String prints the config with secrets masked, for the start-up log.
func (c Config) String() string {
	dbURL := c.DB
	if i := strings.Index(dbURL, "://"); i >= 0 {
		if at := strings.Index(dbURL[i+3:], "@"); at >= 0 {
			cred := dbURL[i+3 : i+3+at]
			if u, _, ok := strings.Cut(cred, ":"); ok {
				dbURL = dbURL[:i+3] + u + ":****" + dbURL[i+3+at:]
			}
		}
	}
	return fmt.Sprintf("db=%s addr=%s demo=%v blob-dir=%s max-upload-mb=%d memory-limit-mb=%d auto-migrate=%v jobs=%v ratings-webhook=%q", dbURL, c.Addr, c.Demo, c.BlobDir, c.MaxUploadMB, c.MemoryLimitMB, c.AutoMigrate, c.JobsEnabled, redactURL(c.RatingsWebhook))
}

// redactURL keeps scheme, host and path of a URL for the startup log and
// drops what may carry a secret (user info, query, fragment).
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || raw == "" {
		return ""
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}
