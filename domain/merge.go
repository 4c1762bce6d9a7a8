package domain

import (
	"slices"
	"unicode"
	"unicode/utf8"
)

// Co-editing without lost work. Every text field (a topic's title and
// description, each Drehbuch scene's "shown" and "said") carries a revision
// number and the texts of its recent revisions. An edit names the revision
// it started from (base_rev):
//
//   - base_rev is the current revision: the new text is taken as it is.
//   - otherwise someone changed the field meanwhile: a 3-way merge of the
//     base text, the current text and the writer's text, word by word.
//     Changes in different places (say, two sentences of one paragraph)
//     merge, and the event records the merged text and that it was merged.
//     Changes in the same place (overlapping, or two different insertions
//     at the same point) are refused with an *EditConflict that carries the
//     current text and revision and the writer's own text, so that the page
//     can show both side by side and the writer decides (and sends again with
//     base_rev = the current revision). Nothing is ever dropped silently.

// KeepRevisions is how many earlier texts a field keeps to find the base
// of a late edit; an edit based on an older revision is treated as a
// conflict (both versions shown), never as an overwrite.
const KeepRevisions = 20

// MaxMergeLength bounds every co-edited text (characters), which bounds the
// cost of a merge.
const MaxMergeLength = 5000

// TextField is a co-edited text with its revisions.
type TextField struct {
	Rev  int
	Text string
	Past []TextRev // earlier revisions, oldest first, at most KeepRevisions
}

// TextRev is one earlier revision of a text.
type TextRev struct {
	Rev  int
	Text string
}

// newTextField is a field at revision 1.
func newTextField(text string) TextField { return TextField{Rev: 1, Text: text} }

// At returns the text of a revision, if it is still known.
func (f TextField) At(rev int) (string, bool) {
	if rev == f.Rev {
		return f.Text, true
	}
	for _, p := range f.Past {
		if p.Rev == rev {
			return p.Text, true
		}
	}
	return "", false
}

// with returns the field at a new revision; the receiver is not changed
// (states are shared between goroutines).
func (f TextField) with(rev int, text string) TextField {
	past := make([]TextRev, 0, KeepRevisions)
	if len(f.Past) >= KeepRevisions {
		past = append(past, f.Past[len(f.Past)-KeepRevisions+1:]...)
	} else {
		past = append(past, f.Past...)
	}
	past = append(past, TextRev{Rev: f.Rev, Text: f.Text})
	return TextField{Rev: rev, Text: text, Past: past}
}

// EditConflict is the refusal of an edit that overlaps a change made
// meanwhile. It carries both versions; ErrorCode is ECONFLICT.
type EditConflict struct {
	Err        *Error
	Field      string // title, description, shown, said
	Scene      string // the scene, for Drehbuch fields
	CurrentRev int    // send again with this base_rev to keep your text
	Current    string // the text as it is now
	Yours      string // the text the writer sent
}

func (c *EditConflict) Error() string { return c.Err.Error() }

// Unwrap lets ErrorCode, ErrorMessage and ErrorField see the *Error.
func (c *EditConflict) Unwrap() error { return c.Err }

// textEdit is the outcome of an accepted edit.
type textEdit struct {
	Text    string
	Merged  bool
	Changed bool
}

// editText decides an edit of a field: text was written on baseRev.
func editText(f TextField, field, label, scene string, baseRev int, text string, max int, required, multiline bool) (textEdit, error) {
	text, err := cleanText(field, label, text, max, required, multiline)
	if err != nil {
		return textEdit{}, err
	}
	if baseRev < 1 || baseRev > f.Rev {
		return textEdit{}, FieldError("base_rev", "err.merge.base_rev_unknown")
	}
	if baseRev == f.Rev {
		return textEdit{Text: text, Changed: text != f.Text}, nil
	}
	conflict := &EditConflict{
		Err:   &Error{Code: ECONFLICT, Field: field, Message: M("err.text.edit_conflict", M(label+".def"))},
		Field: field, Scene: scene, CurrentRev: f.Rev, Current: f.Text, Yours: text,
	}
	base, ok := f.At(baseRev)
	if !ok {
		return textEdit{}, conflict
	}
	merged, ok := Merge3(base, text, f.Text)
	if !ok {
		return textEdit{}, conflict
	}
	// The merged text is checked like typed text (it may have grown).
	if merged, err = cleanText(field, label, merged, max, required, multiline); err != nil {
		return textEdit{}, conflict
	}
	return textEdit{Text: merged, Merged: merged != text, Changed: merged != f.Text}, nil
}

// Tokens splits a text into words, runs of white space, and single other
// characters (punctuation), so that edits to different words of one
// sentence, or different sentences of one paragraph, do not overlap.
func Tokens(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		c := tokenClass(r)
		j := i + n
		if c != classOther {
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if tokenClass(r2) != c {
					break
				}
				j += n2
			}
		}
		out = append(out, s[i:j])
		i = j
	}
	return out
}

const (
	classWord = iota
	classSpace
	classOther
)

func tokenClass(r rune) int {
	switch {
	case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
		return classWord
	case unicode.IsSpace(r):
		return classSpace
	}
	return classOther
}

// Merge3 merges two edits (a and b) of base, token by token (diff3). ok is
// false when they change the same place differently; then nothing is
// merged and the caller shows both versions.
func Merge3(base, a, b string) (merged string, ok bool) {
	if a == b {
		return a, true
	}
	if a == base {
		return b, true
	}
	if b == base {
		return a, true
	}
	o, x, y := Tokens(base), Tokens(a), Tokens(b)
	out, ok := merge3(o, x, y)
	if !ok {
		return "", false
	}
	return joinTokens(out), true
}

// merge3 is diff3 on token slices: regions where both sides keep the base
// are stable; between them, a region changed on one side only takes that
// side, a region changed alike on both sides takes it once, and anything
// else is a conflict.
func merge3(o, a, b []string) ([]string, bool) {
	ids := interner{}
	oi := ids.of(o)
	ma, mb := matches(oi, ids.of(a)), matches(oi, ids.of(b))
	var out []string
	i, j, k := 0, 0, 0
	for {
		// Stable run: base, a and b advance together.
		for i < len(o) && ma[i] == j && mb[i] == k {
			out = append(out, o[i])
			i, j, k = i+1, j+1, k+1
		}
		// The next base token both sides kept ends the unstable chunk.
		next := i
		for next < len(o) && (ma[next] < 0 || mb[next] < 0) {
			next++
		}
		ja, kb := len(a), len(b)
		if next < len(o) {
			ja, kb = ma[next], mb[next]
		}
		oc, ac, bc := o[i:next], a[j:ja], b[k:kb]
		switch {
		case slices.Equal(ac, oc):
			out = append(out, bc...)
		case slices.Equal(bc, oc), slices.Equal(ac, bc):
			out = append(out, ac...)
		default:
			return nil, false
		}
		i, j, k = next, ja, kb
		if i >= len(o) && j >= len(a) && k >= len(b) {
			return out, true
		}
	}
}

// maxLCSCells bounds the table of one diff (the middle part after the
// common prefix and suffix); beyond it the middle counts as replaced, which
// can only turn a merge into a conflict, never lose text.
const maxLCSCells = 4 << 20

// interner numbers tokens, so that the diff compares numbers, not strings.
type interner map[string]int

func (in interner) of(tokens []string) []int {
	out := make([]int, len(tokens))
	for i, t := range tokens {
		id, ok := in[t]
		if !ok {
			id = len(in)
			in[t] = id
		}
		out[i] = id
	}
	return out
}

// matches returns, for each token of o, the index of the token of x it is
// matched with in a longest common subsequence, or -1.
func matches(o, x []int) []int {
	m := make([]int, len(o))
	for i := range m {
		m[i] = -1
	}
	pre := 0
	for pre < len(o) && pre < len(x) && o[pre] == x[pre] {
		m[pre] = pre
		pre++
	}
	suf := 0
	for suf < len(o)-pre && suf < len(x)-pre && o[len(o)-1-suf] == x[len(x)-1-suf] {
		m[len(o)-1-suf] = len(x) - 1 - suf
		suf++
	}
	om, xm := o[pre:len(o)-suf], x[pre:len(x)-suf]
	n, w := len(om), len(xm)
	if n == 0 || w == 0 || (n+1)*(w+1) > maxLCSCells {
		return m
	}
	// lcs[i][j] is the LCS length of om[i:] and xm[j:].
	cols := w + 1
	lcs := make([]uint16, (n+1)*cols)
	for i := n - 1; i >= 0; i-- {
		for j := w - 1; j >= 0; j-- {
			if om[i] == xm[j] {
				lcs[i*cols+j] = lcs[(i+1)*cols+j+1] + 1
			} else {
				lcs[i*cols+j] = max(lcs[(i+1)*cols+j], lcs[i*cols+j+1])
			}
		}
	}
	for i, j := 0, 0; i < n && j < w; {
		switch {
		case om[i] == xm[j]:
			m[pre+i] = pre + j
			i, j = i+1, j+1
		case lcs[(i+1)*cols+j] >= lcs[i*cols+j+1]:
			i++
		default:
			j++
		}
	}
	return m
}

func joinTokens(ts []string) string {
	n := 0
	for _, t := range ts {
		n += len(t)
	}
	b := make([]byte, 0, n)
	for _, t := range ts {
		b = append(b, t...)
	}
	return string(b)
}

// DiffSegment is one piece of a word diff: kept, inserted or deleted text.
type DiffSegment struct {
	Op   string `json:"op"` // DiffKeep, DiffInsert or DiffDelete
	Text string `json:"text"`
}

// Operations of a word diff.
const (
	DiffKeep   = "="
	DiffInsert = "+"
	DiffDelete = "-"
)

// WordDiff returns the changes from old to new, word by word, with
// neighbouring pieces of the same kind joined. Deletions come before
// insertions where a word was replaced.
func WordDiff(old, new string) []DiffSegment {
	o, x := Tokens(old), Tokens(new)
	ids := interner{}
	m := matches(ids.of(o), ids.of(x))
	var out []DiffSegment
	add := func(op, text string) {
		if text == "" {
			return
		}
		if n := len(out); n > 0 && out[n-1].Op == op {
			out[n-1].Text += text
			return
		}
		out = append(out, DiffSegment{Op: op, Text: text})
	}
	j := 0
	for i, t := range o {
		if m[i] < 0 {
			add(DiffDelete, t)
			continue
		}
		for ; j < m[i]; j++ {
			add(DiffInsert, x[j])
		}
		add(DiffKeep, t)
		j = m[i] + 1
	}
	for ; j < len(x); j++ {
		add(DiffInsert, x[j])
	}
	return out
}
