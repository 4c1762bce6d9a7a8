// Command logbuch runs the collaboration hub of the Digitallotsen.
//
//	logbuch [serve] [--http :8080] [--data-dir ./data] [--nats-url URL] [--demo]
//	logbuch export [--data-dir ./data] > events.jsonl
//	logbuch import [--data-dir ./data] < events.jsonl
//	logbuch report --year 2023 [--out bericht.html] [--stand 2023-12-31] [--pdf bericht.pdf] [--lang en]
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "logbuch:", err)
		os.Exit(1)
	}
}

// run is the whole program, so that tests start it with their own
// arguments, environment and streams.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		m := NewMain(stdout, stderr)
		if err := m.ParseFlags(cmd, args, getenv); err != nil {
			return err
		}
		if err := m.Run(ctx); err != nil {
			m.Close()
			return err
		}
		<-ctx.Done()
		return m.Close()
	case "export":
		return runExport(ctx, args, getenv, stdout, stderr)
	case "import":
		return runImport(ctx, args, getenv, stdin, stdout, stderr)
	case "admin":
		return runAdmin(ctx, args, getenv, stdout, stderr)
	case "report":
		return runReport(ctx, args, getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}

const usage = `Logbuch – the live collaboration hub of the Digitallotsen.

Usage:
  logbuch [serve] [flags]     start the server (default)
  logbuch export [flags]      write every event as JSON lines to stdout
  logbuch import [flags]      read JSON lines from stdin into an empty log
  logbuch admin invite        print a one-time link that makes an admin (server stopped)
  logbuch report --year YEAR [--out FILE.html] [--stand YYYY-MM-DD] [--pdf FILE.pdf] [--lang de|en]
                              write the annual report as one self-contained HTML file
                              (stdout without --out), as of a date; --pdf prints it
                              through headless Chromium (server stopped)

Flags (each also read from LOGBUCH_<NAME>, e.g. LOGBUCH_DATA_DIR):
  --http ADDR        address to serve HTTP on (default :8080)
  --data-dir DIR     where the embedded NATS server keeps the log (default ./data)
  --nats-url URL     use an external NATS server instead of the embedded one
  --demo             load the demo year into an empty log
  --tenant NAME      the city whose record this is (default konstanz)
  --log-level LEVEL  debug, info, warn or error (default info)
  --public-url URL   where people reach Logbuch, used in links (default http://localhost:<port>)
  --metrics-token T  require "Authorization: Bearer T" on /metrics
  --nats-listen ADDR open a TCP port on the embedded NATS server, e.g. 127.0.0.1:4222;
                     only with --nats-user and --nats-password (LOGBUCH_NATS_PASSWORD)
  --nats-tls-cert, --nats-tls-key   TLS for that port
  --nats-token, --nats-creds FILE, --nats-nkey FILE, --nats-ca FILE,
  --nats-cert FILE, --nats-key FILE  credentials and TLS for an external NATS (--nats-url)
  --replicas N       stream and bucket replicas on a NATS cluster (1, 3 or 5)
  --rating-batch N   release anonymous ratings in shuffled batches of at least N (default 3, at least 3)
  --rating-flush D   how often ready batches are released (default 5m; 0: as soon as one is ready)
  --min-ratings N    show an event's results only from N ratings on (default 3)

Federation of two cities (docs/operations.md):
  --jetstream-domain D           JetStream domain of the embedded NATS server (e.g. kn)
  --leaf-listen ADDR             accept the partner city's leaf-node link here (with
  --leaf-user U --leaf-password P  LOGBUCH_LEAF_PASSWORD), or
  --leaf-remote URL              connect to the partner's leaf port: nats-leaf://user:password@host:7422
  --federation-partner CITY      the partner city's --tenant (e.g. heilbronn)
  --federation-partner-domain D  the JetStream domain of the partner's NATS (e.g. hn)
`
