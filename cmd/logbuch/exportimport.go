package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"logbuch/embed"
)

func openForTool(ctx context.Context, name string, args []string, getenv func(string) string, stderr io.Writer) (*embed.Log, error) {
	var c Config
	fs := flagSet(name, &c, getenv)
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		return nil, fmt.Errorf("%w\n%s", err, usage)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	l, err := embed.Open(ctx, embed.Config{DataDir: c.DataDir, NatsURL: c.NatsURL, Logger: log})
	if err != nil {
		return nil, err
	}
	return l, nil
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
	fmt.Fprintf(stderr, "%d Ereignisse exportiert\n", n)
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
	fmt.Fprintf(stdout, "%d Nachrichten importiert\n", len(msgs))
	return nil
}
