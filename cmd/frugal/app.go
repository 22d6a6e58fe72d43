package main

import (
	"io"
	"os"
	"path/filepath"

	"github.com/frugal-dev/frugal"
)

// app is the composition root: what every subcommand may need, opened
// lazily so that `frugal prices` never touches the database.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string

	home       string // --home; resolved by homeDir
	configPath string // --config

	closers  []func() error
	exitCode int // set by commands that end without an error
}

// homeDir returns the data directory: --home, $FRUGAL_HOME or ~/.frugal.
func (a *app) homeDir() (string, error) {
	if a.home != "" {
		return a.home, nil
	}
	if h := a.getenv("FRUGAL_HOME"); h != "" {
		return h, nil
	}
	u, err := os.UserHomeDir()
	if err != nil {
		return "", frugal.Errorf(frugal.EINVALID, "no home directory: set FRUGAL_HOME (%v)", err)
	}
	return filepath.Join(u, ".frugal"), nil
}

func (a *app) onClose(f func() error) { a.closers = append(a.closers, f) }

func (a *app) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		_ = a.closers[i]()
	}
	a.closers = nil
}
