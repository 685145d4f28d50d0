// Package migrations embeds the numbered schema migrations, one folder per
// engine. Files are named NNNN_name.sql and applied in order, each in its own
// transaction; the applied versions are recorded in schema_migrations.
package migrations

import "embed"

//go:embed sqlite/*.sql postgres/*.sql
var FS embed.FS
