package web

import (
	"context"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"logbuch/domain"
)

// The import of survey topics: the file (uploaded or pasted) is parsed and
// shown as a preview, or its bad lines are named; nothing is imported
// while any line is bad. On confirmation every row becomes one
// ProposeTopic with a command id and a topic id that depend only on the
// import's id (made when the preview was shown) and the line, so a retried
// confirmation completes the import exactly once.
//
// JSON clients send {"csv": "...", "confirm": true} with an
// Idempotency-Key (the import's id) and get {"rows": [...]} for a preview,
// {"imported": n, "seq": …} after the import, or 422 with {"errors": [...]}.

// maxImportBody bounds an import request: the file and a little form.
const maxImportBody = domain.MaxImportBytes + 64<<10

type importRequest struct {
	CSV      string `json:"csv"`
	ImportID string `json:"import_id"`
	Confirm  bool   `json:"confirm"`
}

func (s *Server) handleImportPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, ok := s.models.BoardInfo(boardPath(r))
		if !ok {
			s.writeError(w, r, http.StatusNotFound, domain.ENOTFOUND, "", tr(r.Context(), "err.board.not_found"))
			return
		}
		s.html(w, http.StatusOK)
		importPageView(importPage{User: principalOf(r), Board: info, Form: s.newForm(r, "import")}).Render(r.Context(), w)
	})
}

func (s *Server) handleImport() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := s.admit(w, r, domain.ImportTopics)
		if !ok {
			return
		}
		if !domain.Can(p.Role, "ProposeTopic") {
			s.forbidden(w, r)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxImportBody)
		req, err := readImportRequest(r)
		if !s.readable(w, r, p, err) {
			return
		}
		board := boardPath(r)
		info, ok := s.models.BoardInfo(board)
		if !ok {
			s.writeError(w, r, http.StatusNotFound, domain.ENOTFOUND, "", tr(r.Context(), "err.board.not_found"))
			return
		}
		if !info.Domain().FacilitatedBy(callerOf(p)) {
			s.writeError(w, r, http.StatusConflict, domain.ECONFLICT, "", tr(r.Context(), "err.import.facilitator_only"))
			return
		}
		if info.Archived {
			s.writeError(w, r, http.StatusConflict, domain.ECONFLICT, "", tr(r.Context(), "err.board.archived"))
			return
		}
		page := importPage{User: p, Board: info, Form: s.newForm(r, "import"), Text: req.CSV, ImportID: req.ImportID}
		rows, bad := domain.ParseTopicImport(board, []byte(req.CSV))
		if len(bad) > 0 {
			if wantsJSON(r) {
				writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": map[string]string{"code": domain.EINVALID, "message": tr(r.Context(), "err.import.has_errors")}, "errors": importErrorsJSON(r.Context(), bad)})
				return
			}
			page.Errors = bad
			s.html(w, http.StatusUnprocessableEntity)
			importPageView(page).Render(r.Context(), w)
			return
		}
		if !req.Confirm {
			if wantsJSON(r) {
				writeJSON(w, http.StatusOK, map[string]any{"rows": rows})
				return
			}
			page.Rows, page.ImportID = rows, uuid.Must(uuid.NewV7()).String()
			s.html(w, http.StatusOK)
			importPageView(page).Render(r.Context(), w)
			return
		}
		cmds, err := domain.ImportCommands(board, req.ImportID, rows)
		if err != nil {
			s.writeError(w, r, http.StatusUnprocessableEntity, domain.ErrorCode(err), "", errText(r.Context(), err))
			return
		}
		seq, err := s.runImport(r.Context(), p, cmds)
		if err != nil {
			code := domain.ErrorCode(err)
			if code == domain.EINTERNAL {
				s.log.Error("import", "board", board, "err", err)
			}
			s.writeError(w, r, errorStatus(code), code, "", tr(r.Context(), "err.import.send_again", errText(r.Context(), err)))
			return
		}
		if wantsJSON(r) {
			writeJSON(w, http.StatusOK, map[string]any{"imported": len(cmds), "seq": seq})
			return
		}
		http.Redirect(w, r, boardURL(board)+"?hinweis=importiert", http.StatusSeeOther)
	})
}

// importErrorJSON is a bad line as JSON clients get it: the line and what
// is wrong with it, said in the client's language.
type importErrorJSON struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
}

func importErrorsJSON(ctx context.Context, errs []domain.ImportError) []importErrorJSON {
	out := make([]importErrorJSON, len(errs))
	for i, e := range errs {
		out[i] = importErrorJSON{Line: e.Line, Message: trm(ctx, e.Message)}
	}
	return out
}

// runImport proposes every row; each command id is applied once, so a
// retry after a failure in the middle adds only the rows still missing.
func (s *Server) runImport(ctx context.Context, p principal, cmds []domain.ImportCommand) (uint64, error) {
	var last uint64
	for _, c := range cmds {
		res, err := domain.Execute(ctx, s.commands, domain.Topics, c.TopicID, domain.Meta{CommandID: c.CommandID, Actor: p.Actor()}, "ProposeTopic", any(c.Cmd))
		if err != nil {
			return 0, err
		}
		last = max(last, res.Seq)
	}
	wctx, cancel := context.WithTimeout(ctx, s.cfg.WaitTimeout)
	defer cancel()
	if err := s.models.WaitFor(wctx, last); err != nil {
		s.log.Warn("answering the import before the read models caught up", "seq", last, "err", err)
	}
	return last, nil
}

// readImportRequest reads JSON, a form, or a multipart form with a file.
func readImportRequest(r *http.Request) (importRequest, error) {
	var req importRequest
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return req, bodyError(err)
		}
		if err := decodeStrictJSON(body, &req); err != nil {
			return req, &requestError{http.StatusBadRequest, jsonProblem(err)}
		}
		if req.ImportID == "" {
			req.ImportID = r.Header.Get("Idempotency-Key")
		}
		return req, nil
	case "multipart/form-data":
		if err := r.ParseMultipartForm(maxImportBody); err != nil {
			return req, bodyError(err)
		}
		if f, _, err := r.FormFile("datei"); err == nil {
			defer f.Close()
			b, err := io.ReadAll(io.LimitReader(f, domain.MaxImportBytes+1))
			if err != nil {
				return req, bodyError(err)
			}
			if len(b) > 0 {
				req.CSV = string(b)
			}
		}
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return req, bodyError(err)
		}
	default:
		return req, errNotFormOrJSON()
	}
	if req.CSV == "" {
		req.CSV = r.PostFormValue("csv")
	}
	// Browsers send the line breaks of a textarea as CRLF; the CSV reader
	// takes both, and line numbers stay the same.
	req.ImportID = strings.TrimSpace(r.PostFormValue("import_id"))
	req.Confirm = r.PostFormValue("confirm") == "ja"
	return req, nil
}
