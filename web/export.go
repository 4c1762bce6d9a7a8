package web

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"

	"github.com/a-h/templ"

	"logbuch/domain"
	"logbuch/projections"
)

// The results of a wall as a document for the annual report: Markdown, or
// one self-contained HTML file (its style inside, photos embedded), grouped
// by workshop group; hidden posts are left out.

const exportStyle = `body{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}
h2{border-bottom:2px solid #0b5394;padding-bottom:.2rem;margin-top:2rem}
article{border:1px solid #ccc;border-radius:.4rem;padding:.5rem 1rem;margin:1rem 0}
.meta{color:#555;font-size:.9rem}img{max-width:100%;height:auto}`

// exportHandler answers an export of the event in the path: its visible
// posts by group.
func (s *Server) exportHandler(write func(w http.ResponseWriter, r *http.Request, ev projections.EventInfo, cols []wallColumn)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ev, posts, _, ok := s.models.Event(r.PathValue("id"))
		if !ok {
			s.writeError(w, r, http.StatusNotFound, domain.ENOTFOUND, "", tr(r.Context(), "err.event.not_found"))
			return
		}
		cols, _ := wallColumns(r.Context(), ev, posts, nil, false)
		w.Header().Set("Cache-Control", "no-store")
		write(w, r, ev, cols)
	})
}

func exportFilename(ctx context.Context, ev projections.EventInfo, ext string) string {
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, ev.Title)
	return fmt.Sprintf(`attachment; filename="%s-%s.%s"`, strings.Trim(name, "-"), tr(ctx, "export.file_name"), ext)
}

// handleExportMarkdown writes the results as Markdown; posts are Markdown
// already, photos are linked.
func (s *Server) handleExportMarkdown() http.Handler {
	return s.exportHandler(func(w http.ResponseWriter, r *http.Request, ev projections.EventInfo, cols []wallColumn) {
		ctx := r.Context()
		names := s.authorNames(ctx)
		var b strings.Builder
		fmt.Fprintf(&b, "# %s\n\n%s · %s\n", tr(ctx, "export.title", ev.Title), formatDateTime(ctx, ev.Start), placeLabel(ev))
		for _, col := range cols {
			fmt.Fprintf(&b, "\n## %s\n", col.Name)
			if len(col.Posts) == 0 {
				fmt.Fprintf(&b, "\n%s\n", tr(ctx, "export.no_posts"))
			}
			for _, p := range col.Posts {
				fmt.Fprintf(&b, "\n### %s (%s, %s)\n\n%s\n", authorLabel(ctx, p, names), formatDateTime(ctx, p.At), plusLabel(ctx, len(p.PlusOnes)), strings.TrimSpace(p.Text))
				if p.Photo != "" {
					fmt.Fprintf(&b, "\n![%s](%s%s)\n", tr(ctx, "export.photo_alt"), strings.TrimRight(s.cfg.PublicURL, "/"), photoURL(ev.ID, p.Photo))
				}
			}
		}
		w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
		w.Header().Set("Content-Disposition", exportFilename(ctx, ev, "md"))
		w.Write([]byte(b.String()))
	})
}

// handleExportHTML writes the results as one HTML file.
func (s *Server) handleExportHTML() http.Handler {
	return s.exportHandler(func(w http.ResponseWriter, r *http.Request, ev projections.EventInfo, cols []wallColumn) {
		photos := map[string]templ.SafeURL{}
		for _, col := range cols {
			for _, p := range col.Posts {
				if p.Photo == "" || s.cfg.Uploads == nil {
					continue
				}
				data, ct, err := s.cfg.Uploads.GetUpload(r.Context(), p.Photo)
				if err != nil || (ct != "image/png" && ct != "image/jpeg") {
					s.log.Warn("export: photo left out", "photo", p.Photo, "err", err)
					continue
				}
				photos[p.Photo] = templ.SafeURL("data:" + ct + ";base64," + base64.StdEncoding.EncodeToString(data))
			}
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Disposition", exportFilename(r.Context(), ev, "html"))
		// The document carries its own style and its photos as data.
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		exportDocument(ev, cols, s.authorNames(r.Context()), photos).Render(r.Context(), w)
	})
}
