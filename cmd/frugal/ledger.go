package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/sqlite"
)

// ledgerFile is the database's name under the home directory.
const ledgerFile = "frugal.db"

// ledger opens $FRUGAL_HOME/frugal.db on first use, creating the home
// directory (mode 0700) if needed, and closes it when the command ends.
// A home that cannot hold the database is EINVALID when the path is wrong
// (a file where a directory should be) and EUNAVAILABLE when the file
// system refuses.
func (a *app) ledger(ctx context.Context) (*sqlite.DB, error) {
	if a.db != nil {
		return a.db, nil
	}
	if u := a.getenv("FRUGAL_DATABASE_URL"); u != "" {
		return nil, frugal.Errorf(frugal.EINVALID, "FRUGAL_DATABASE_URL is set, but this frugal has only the SQLite ledger; unset it to use $FRUGAL_HOME/%s", ledgerFile)
	}
	home, err := a.homeDir()
	if err != nil {
		return nil, err
	}
	if err := makeHome(home); err != nil {
		return nil, err
	}
	db, err := sqlite.Open(ctx, filepath.Join(home, ledgerFile), sqlite.Options{
		Logger: a.logger(),
	})
	if err != nil {
		return nil, err
	}
	a.db = db
	a.onClose(func() error {
		a.db = nil
		return db.Close()
	})
	// frugal.yaml's budgets: are caps like those set with frugal budget set.
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	for _, b := range cfg.Budgets {
		if err := db.SetBudget(ctx, b); err != nil {
			return nil, fmt.Errorf("%s: budgets: %w", cfg.File, err)
		}
	}
	return db, nil
}

// makeHome creates the home directory, owner-only, with an error that
// names it and says what is wrong.
func makeHome(home string) error {
	err := os.MkdirAll(home, 0o700)
	if err == nil {
		return nil
	}
	if fi, serr := os.Stat(home); serr == nil && !fi.IsDir() {
		return frugal.Errorf(frugal.EINVALID, "frugal home %s is a file, not a directory (set --home or FRUGAL_HOME)", home)
	}
	if errors.Is(err, syscall.ENOTDIR) {
		return frugal.Errorf(frugal.EINVALID, "frugal home %s: a parent of it is a file, not a directory (set --home or FRUGAL_HOME)", home)
	}
	return frugal.Errorf(frugal.EUNAVAILABLE, "frugal home %s: cannot create it: %w", home, err)
}
