package web

import (
	"net/http"
	"strings"
	"unicode/utf8"
)

// The video library (/videothek): every published KNowHow video, for all
// staff, read-only, searchable by title and topic (and Amt, board, tool).
// Without a search it follows the live view "videothek"; with one it shows
// the matches as they were when the page was loaded.

// maxVideoQuery bounds a search (characters).
const maxVideoQuery = 100

func (s *Server) handleVideothek() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := strings.TrimSpace(r.URL.Query().Get("q"))
		if !utf8.ValidString(q) {
			q = strings.ToValidUTF8(q, "")
		}
		if utf8.RuneCountInString(q) > maxVideoQuery {
			q = string([]rune(q)[:maxVideoQuery])
		}
		videos, seq := s.topics().Videos(q)
		s.html(w, http.StatusOK)
		videothekPage(videothekData{User: principalOf(r), Query: q, Videos: videos, Seq: seq, Names: s.authorNames(r.Context())}).Render(r.Context(), w)
	})
}
