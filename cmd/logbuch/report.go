package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"logbuch/domain"
	"logbuch/projections"
	"logbuch/web"
	"logbuch/web/i18n"
)

// runReport: `logbuch report --year 2023 [--out bericht.html] [--stand
// 2023-12-31] [--pdf bericht.pdf] [--lang de|en]` writes the annual report
// from a stopped log, as one self-contained HTML file (and, with --pdf,
// printed by headless Chromium), in German unless --lang (or
// LOGBUCH_LANG) says otherwise.
func runReport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var year int
	var out, stand, pdf, lang string
	defaultLang := getenv("LOGBUCH_LANG")
	if defaultLang == "" {
		defaultLang = string(i18n.German)
	}
	l, c, err := openForToolWith(ctx, "report", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.IntVar(&year, "year", 0, "the year of the report")
		fs.StringVar(&out, "out", "", "write the HTML file here (default: standard output)")
		fs.StringVar(&stand, "stand", "", "the report as of this date (YYYY-MM-DD; default: now)")
		fs.StringVar(&pdf, "pdf", "", "also print the report to this PDF file (needs Chromium)")
		fs.StringVar(&lang, "lang", defaultLang, "the language of the report: de or en")
	})
	if err != nil {
		return err
	}
	defer l.Close()
	if year == 0 {
		return fmt.Errorf("report: --year is required, e.g. logbuch report --year 2023 --out bericht.html")
	}
	language, ok := i18n.Choose(lang)
	if !ok {
		return fmt.Errorf("report: --lang %q: the report is written in de or en", lang)
	}
	cat := i18n.For(language)
	ctx = i18n.With(ctx, cat)
	if pdf != "" {
		if _, err := chromium(); err != nil {
			return err
		}
	}
	now := time.Now()
	asOf, _, err := web.ParseStand(stand, now)
	if err != nil {
		return fmt.Errorf("report: --stand %q: %s", stand, cat.Msg(domain.ErrorMessage(err)))
	}
	src, err := projections.ReplayUntil(ctx, l, asOf)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	var buf bytes.Buffer
	if err := web.WriteReport(ctx, &buf, src, year, asOf, web.ReportOptions{City: cityName(c.Tenant), MinRatings: c.MinRatings}); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if out == "" {
		_, err = stdout.Write(buf.Bytes())
	} else {
		err = os.WriteFile(out, buf.Bytes(), 0o644)
		fmt.Fprintln(stderr, cat.T("report.cli.written", year, out))
	}
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if pdf != "" {
		if err := printPDF(ctx, buf.Bytes(), pdf); err != nil {
			return fmt.Errorf("report: PDF: %w", err)
		}
		fmt.Fprintln(stderr, cat.T("report.cli.pdf_written", pdf))
	}
	return nil
}

// chromium finds a headless-capable Chromium or Chrome.
func chromium() (string, error) {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("report: --pdf needs Chromium, and none was found (looked for chromium, chromium-browser, google-chrome, headless-shell in PATH); install it (e.g. apt-get install chromium) or print the HTML file from a browser")
}

// printPDF prints the report's HTML to an A4 PDF through headless
// Chromium; the page size, margins and page numbers come from the
// report's print stylesheet.
func printPDF(ctx context.Context, html []byte, out string) error {
	exe, err := chromium()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "logbuch-report-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "bericht.html")
	if err := os.WriteFile(file, html, 0o600); err != nil {
		return err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	tab, cancel := chromedp.NewContext(alloc)
	defer cancel()
	if err := chromedp.Do(tab, chromedp.Navigate("file://"+file)); err != nil {
		return err
	}
	data, err := chromedp.Run(tab, func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		yes := true
		res, err := cdp.Call(ctx, t, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: &yes, PrintBackground: &yes, GenerateDocumentOutline: &yes})
		return res.Data, err
	})
	if err != nil {
		return err
	}
	return os.WriteFile(out, data, 0o644)
}

// cityName is the tenant as a city's name (konstanz → Konstanz).
func cityName(tenant string) string {
	if tenant == "" {
		return ""
	}
	return strings.ToUpper(tenant[:1]) + tenant[1:]
}

// replay builds the read models as of t from the log, for "Stand am …".
func (m *Main) replay(ctx context.Context, t time.Time) (web.ReportSource, error) {
	return projections.ReplayUntil(ctx, m.Log, t)
}
