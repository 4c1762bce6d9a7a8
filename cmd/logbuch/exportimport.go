package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"logbuch/embed"
	"logbuch/web"
	"logbuch/web/i18n"
)

func openForTool(ctx context.Context, name string, args []string, getenv func(string) string, stderr io.Writer) (*embed.Log, error) {
	l, _, err := openForToolWith(ctx, name, args, getenv, stderr, nil)
	return l, err
}

// openForToolWith is openForTool for a tool with flags of its own (added
// by more); it also returns the shared flags' values.
func openForToolWith(ctx context.Context, name string, args []string, getenv func(string) string, stderr io.Writer, more func(*flag.FlagSet)) (*embed.Log, Config, error) {
	var c Config
	fs := flagSet(name, &c, getenv)
	fs.SetOutput(io.Discard)
	if more != nil {
		more(fs)
	}
	if err := fs.Parse(args); err != nil {
		return nil, c, fmt.Errorf("%w\n%s", err, usage)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	l, err := embed.Open(ctx, c.logConfig(log))
	if err != nil {
		return nil, c, err
	}
	return l, c, nil
}

func runExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	l, err := openForTool(ctx, "export", args, getenv, stderr)
	if err != nil {
		return err
	}
	defer l.Close()
	n, err := l.Export(ctx, stdout)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintln(stderr, cliCatalogue(getenv).T("cli.export.done", n))
	return nil
}

func runImport(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if f, ok := stdin.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			return fmt.Errorf("import reads an export from standard input: logbuch import < events.jsonl")
		}
	}
	// Read and check everything first: a bad file imports nothing.
	msgs, err := embed.ReadExport(stdin)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	l, err := openForTool(ctx, "import", args, getenv, stderr)
	if err != nil {
		return err
	}
	defer l.Close()
	if err := l.Import(ctx, msgs); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	fmt.Fprintln(stdout, cliCatalogue(getenv).T("cli.import.done", len(msgs)))
	return nil
}

// runAdmin: `logbuch admin invite` prints a one-time link for an admin
// (the first one, or a new one when every admin lost access).
func runAdmin(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "invite" {
		return fmt.Errorf("usage: logbuch admin invite [--data-dir DIR] [--public-url URL]")
	}
	var c Config
	fs := flagSet("admin invite", &c, getenv)
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	l, err := openForTool(ctx, "admin invite", args[1:], getenv, stderr)
	if err != nil {
		return err
	}
	defer l.Close()
	public := c.PublicURL
	if public == "" {
		public = "http://localhost" + c.HTTP
		if !strings.HasPrefix(c.HTTP, ":") {
			public = "http://" + c.HTTP
		}
	}
	link, err := web.CreateSetupLink(ctx, l, public)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\n  %s\n", cliCatalogue(getenv).T("cli.admin.setup_link"), link)
	return nil
}

// cliCatalogue is the language of what the commands print for the person
// at the terminal: German, or LOGBUCH_LANG's (de, en). Logs stay English.
func cliCatalogue(getenv func(string) string) *i18n.Catalogue {
	if getenv == nil {
		return i18n.For(i18n.German)
	}
	l, _ := i18n.Choose(getenv("LOGBUCH_LANG"))
	return i18n.For(l)
}
