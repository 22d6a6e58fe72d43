package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/frugal-dev/frugal/ledgertest"
	"github.com/frugal-dev/frugal/sqlite"
)

// mustOpen opens a ledger in a fresh file under t.TempDir and closes it
// when t ends.
func mustOpen(t testing.TB, now func() time.Time) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "frugal.db"), sqlite.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db
}

func TestConformance(t *testing.T) {
	ledgertest.Run(t, func(t *testing.T, now func() time.Time) ledgertest.Ledger {
		return mustOpen(t, now)
	})
}
