package sqlite

import (
	"context"
	"fmt"
)

// SetMaxPageCount limits the writer connection's database to n pages, to
// simulate a full disk (SQLITE_FULL) in tests.
func SetMaxPageCount(ctx context.Context, db *DB, n int) error {
	return db.w.do(ctx, &op{name: "test", apply: func(tx *wtx) error {
		_, err := tx.w.conn.ExecContext(tx.ctx, fmt.Sprintf("PRAGMA max_page_count = %d", n))
		return sqlErr(err)
	}})
}
