// Package sqlite is frugal's spend ledger on one SQLite file: it records
// every settled call with its attribution and enforces the spend caps with
// atomic reservations, leases and durable settlement. It owns the database
// schema (embedded, numbered migrations), the single writer that
// group-commits, and the spend and cap reports.
package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	sqlite3 "modernc.org/sqlite"
	sqlitelib "modernc.org/sqlite/lib"

	"github.com/frugal-dev/frugal"
)

var _ frugal.Ledger = (*DB)(nil)

// DefaultLease is how long a hold lives when neither the request nor
// Options say otherwise.
const DefaultLease = 15 * time.Minute

// busyTimeout is how long SQLite itself waits for another process's write
// lock before the writer retries on its own.
const busyTimeout = 5 * time.Second

// Options tune a ledger. The zero value is a durable ledger on the real
// clock.
type Options struct {
	// Now is the clock; nil: time.Now. Times are stored with millisecond
	// precision.
	Now func() time.Time
	// Rand supplies the bytes of hold IDs; nil: crypto/rand. It is only read
	// from the writer goroutine, so it need not be safe for concurrent use.
	Rand io.Reader
	// DefaultLease is how long a hold lives when its request has no Lease;
	// 0: DefaultLease (15 minutes).
	DefaultLease time.Duration
	// Synchronous is SQLite's synchronous setting for commits that settle
	// calls or change caps: "FULL" (the default: fsynced before Settle
	// returns, so a settled call survives power loss), "EXTRA", or
	// "NORMAL" (survives a killed process, not a power loss). "OFF" is
	// refused. Commits holding only reservations, releases and renewals
	// are never fsynced: a power cut loses them together with the process
	// that held them, and the next fsync covers them.
	Synchronous string
	// Logger receives warnings about expired holds and late settlements;
	// nil: discard.
	Logger *slog.Logger
}

// DB is a ledger on one SQLite file. It is safe for concurrent use, and
// several processes may open the same file: SQLite's lock serialises their
// writes, so caps hold across them.
type DB struct {
	path   string
	opts   Options
	now    func() time.Time
	log    *slog.Logger
	wdb    *sql.DB // one connection, used only by the writer goroutine
	rdb    *sql.DB // read pool: reports and caps
	w      *writer
	closed sync.Once
	cerr   error
}

//go:embed migrations/*.sql
var migrationFS embed.FS

// Open opens (creating if needed) the ledger database at path and applies
// any pending migrations. The directory holding path must exist. Errors are
// EINVALID when path is unusable as given (its parent is not a directory, it
// is not a database, it was written by a newer frugal) and EUNAVAILABLE when
// the file system refuses (permissions, read-only, full).
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if path == "" {
		return nil, frugal.Errorf(frugal.EINVALID, "ledger: empty database path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, frugal.Errorf(frugal.EINVALID, "ledger %s: %w", path, err)
	}
	switch strings.ToUpper(opts.Synchronous) {
	case "":
		opts.Synchronous = "FULL"
	case "FULL", "EXTRA", "NORMAL":
		opts.Synchronous = strings.ToUpper(opts.Synchronous)
	default:
		return nil, frugal.Errorf(frugal.EINVALID, "ledger: synchronous %q: want FULL, EXTRA or NORMAL", opts.Synchronous)
	}
	if opts.DefaultLease < 0 {
		return nil, frugal.Errorf(frugal.EINVALID, "ledger: negative default lease %s", opts.DefaultLease)
	}
	if opts.DefaultLease == 0 {
		opts.DefaultLease = DefaultLease
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	db := &DB{path: abs, opts: opts, now: opts.Now, log: opts.Logger}
	if db.now == nil {
		db.now = time.Now
	}
	if db.log == nil {
		db.log = slog.New(slog.DiscardHandler)
	}
	if err := checkDir(abs); err != nil {
		return nil, err
	}

	db.wdb, err = sql.Open("sqlite", dsn(abs, false, opts.Synchronous))
	if err != nil {
		return nil, db.fail(err, "open")
	}
	db.wdb.SetMaxOpenConns(1)
	db.wdb.SetMaxIdleConns(1)
	db.wdb.SetConnMaxLifetime(0)
	db.wdb.SetConnMaxIdleTime(0)
	conn, err := db.wdb.Conn(ctx)
	if err != nil {
		db.wdb.Close()
		return nil, db.fail(err, "open")
	}
	if err := db.setupWriter(ctx, conn); err != nil {
		conn.Close()
		db.wdb.Close()
		return nil, err
	}
	db.rdb, err = sql.Open("sqlite", dsn(abs, true, opts.Synchronous))
	if err != nil {
		conn.Close()
		db.wdb.Close()
		return nil, db.fail(err, "open")
	}
	db.rdb.SetMaxOpenConns(4)
	db.rdb.SetMaxIdleConns(4)
	db.w, err = newWriter(ctx, db, conn)
	if err != nil {
		conn.Close()
		db.wdb.Close()
		db.rdb.Close()
		return nil, err
	}
	return db, nil
}

// Path is the absolute path of the database file.
func (db *DB) Path() string { return db.path }

// Close finishes the operations already queued, stops the writer and closes
// the database. It is safe to call more than once.
func (db *DB) Close() error {
	db.closed.Do(func() {
		db.w.close()
		db.cerr = errors.Join(db.w.conn.Close(), db.wdb.Close(), db.rdb.Close())
	})
	return db.cerr
}

// checkDir gives a clear error when the directory meant to hold the
// database is missing or is not a directory, before SQLite says only
// "unable to open database file".
func checkDir(path string) error {
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return frugal.Errorf(frugal.EINVALID, "ledger %s: directory %s does not exist", path, dir)
	case err != nil && isNotDir(err):
		return frugal.Errorf(frugal.EINVALID, "ledger %s: %s is not a directory", path, dir)
	case err != nil:
		return frugal.Errorf(frugal.EUNAVAILABLE, "ledger %s: %w", path, err)
	case !fi.IsDir():
		return frugal.Errorf(frugal.EINVALID, "ledger %s: %s is not a directory", path, dir)
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return frugal.Errorf(frugal.EINVALID, "ledger %s: is a directory, not a database file", path)
	}
	// Create a new database owner-only: it names every agent, run and
	// model. SQLite gives its WAL and shared-memory files the same mode.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		return f.Close()
	case errors.Is(err, os.ErrExist):
		return nil
	case errors.Is(err, os.ErrPermission):
		return frugal.Errorf(frugal.EUNAVAILABLE, "ledger %s: cannot create the database: %w", path, err)
	}
	return frugal.Errorf(frugal.EUNAVAILABLE, "ledger %s: %w", path, err)
}

func isNotDir(err error) bool { return errors.Is(err, syscall.ENOTDIR) }

// dsn builds the modernc.org/sqlite data source name. The path goes in a
// file: URI so that '?' or '#' in it cannot be read as parameters.
func dsn(path string, readOnly bool, synchronous string) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), OmitHost: true}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(busyTimeout.Milliseconds(), 10)+")")
	q.Add("_pragma", "foreign_keys(on)")
	q.Add("_pragma", "synchronous("+synchronous+")")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	}
	return u.String() + "?" + q.Encode()
}

// setupWriter switches the file to WAL and applies pending migrations, on
// the writer's own connection.
func (db *DB) setupWriter(ctx context.Context, conn *sql.Conn) error {
	var mode string
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode); err != nil {
		return db.fail(err, "open")
	}
	if !strings.EqualFold(mode, "wal") {
		return frugal.Errorf(frugal.EUNAVAILABLE, "ledger %s: the file system does not support WAL mode (journal mode is %s)", db.path, mode)
	}
	return db.migrate(ctx, conn)
}

type migration struct {
	version int
	name    string
	sql     string
}

func migrations() ([]migration, error) {
	entries, err := migrationFS.ReadDir("migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("migration %s: name must be NNNN_what.sql", e.Name())
		}
		b, err := migrationFS.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// migrate applies the migrations newer than the database's version, all in
// one IMMEDIATE transaction so that processes opening a new file at once
// migrate it exactly once.
func (db *DB) migrate(ctx context.Context, conn *sql.Conn) error {
	ms, err := migrations()
	if err != nil {
		return frugal.Errorf(frugal.EINTERNAL, "ledger: %w", err)
	}
	if err := beginImmediate(ctx, conn); err != nil {
		return db.fail(err, "migrate")
	}
	done := false
	defer func() {
		if !done {
			_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
		}
	}()
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms INTEGER NOT NULL) STRICT`); err != nil {
		return db.fail(err, "migrate")
	}
	var cur int
	if err := conn.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&cur); err != nil {
		return db.fail(err, "migrate")
	}
	if last := ms[len(ms)-1].version; cur > last {
		return frugal.Errorf(frugal.EINVALID, "ledger %s: schema version %d is newer than this frugal knows (%d); upgrade frugal", db.path, cur, last)
	}
	for _, m := range ms {
		if m.version <= cur {
			continue
		}
		if _, err := conn.ExecContext(ctx, m.sql); err != nil {
			return db.fail(fmt.Errorf("migration %s: %w", m.name, err), "migrate")
		}
		if _, err := conn.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, ?, ?)",
			m.version, m.name, db.now().UnixMilli()); err != nil {
			return db.fail(err, "migrate")
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return db.fail(err, "migrate")
	}
	done = true
	return nil
}

// beginImmediate takes SQLite's write lock, retrying for as long as ctx
// allows when another process holds it beyond the busy timeout.
func beginImmediate(ctx context.Context, conn *sql.Conn) error {
	for {
		_, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE")
		if err == nil || !isBusy(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func sqliteCode(err error) int {
	var se *sqlite3.Error
	if errors.As(err, &se) {
		return se.Code() & 0xff
	}
	return 0
}

func isBusy(err error) bool {
	c := sqliteCode(err)
	return c == sqlitelib.SQLITE_BUSY || c == sqlitelib.SQLITE_LOCKED
}

// fail turns a storage error into a domain error that names the database
// file and says what the user can do about it.
func (db *DB) fail(err error, op string) error {
	if err == nil {
		return nil
	}
	var fe *frugal.Error
	if errors.As(err, &fe) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("ledger %s: %s: %w", db.path, op, err)
	}
	switch sqliteCode(err) {
	case sqlitelib.SQLITE_FULL:
		return frugal.Errorf(frugal.EUNAVAILABLE, "ledger %s: %s: disk or database full, nothing was written: %w", db.path, op, err)
	case sqlitelib.SQLITE_READONLY, sqlitelib.SQLITE_PERM, sqlitelib.SQLITE_AUTH:
		return frugal.Errorf(frugal.EUNAVAILABLE, "ledger %s: %s: not writable: %w", db.path, op, err)
	case sqlitelib.SQLITE_CANTOPEN:
		return frugal.Errorf(frugal.EUNAVAILABLE, "ledger %s: %s: cannot open the database file (check the directory's permissions): %w", db.path, op, err)
	case sqlitelib.SQLITE_NOTADB, sqlitelib.SQLITE_CORRUPT:
		return frugal.Errorf(frugal.EINVALID, "ledger %s: %s: not a frugal database or damaged: %w", db.path, op, err)
	case sqlitelib.SQLITE_IOERR:
		return frugal.Errorf(frugal.EUNAVAILABLE, "ledger %s: %s: I/O error: %w", db.path, op, err)
	case sqlitelib.SQLITE_BUSY, sqlitelib.SQLITE_LOCKED:
		return frugal.Errorf(frugal.EUNAVAILABLE, "ledger %s: %s: database locked by another process: %w", db.path, op, err)
	}
	return frugal.Errorf(frugal.EINTERNAL, "ledger %s: %s: %w", db.path, op, err)
}
