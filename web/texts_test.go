package web_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	templparser "github.com/a-h/templ/parser/v2"

	"logbuch/domain"
)

// The texts people read live in the catalogues (web/i18n), never in code:
// this test reads every template, every Go file of the domain, the
// projections and the web, every script, and what the commands print at the
// terminal, and fails on a text written into them. A literal that only looks like text (an id, a CSS class, a
// catalogue key) passes; data that is not text for people (the names of
// the Ämter, the formats stored in events) is marked where it is declared
// with a comment that contains "i18n:data" and says why.
//
// LOGBUCH_TEXTS (a comma-separated list of files, e.g. web/boards.templ)
// checks only those files.
func TestNoTextsOutsideTheCatalogues(t *testing.T) {
	root := filepath.Join("..")
	var files []string
	for _, pattern := range []string{"web/*.templ", "web/*.go", "domain/*.go", "projections/*.go", "web/static/*.js", "cmd/logbuch/serve.go", "cmd/logbuch/exportimport.go", "cmd/logbuch/report.go"} {
		m, err := filepath.Glob(filepath.Join(root, pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	only := os.Getenv("LOGBUCH_TEXTS")
	checked := 0
	for _, path := range files {
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if strings.HasSuffix(rel, "_test.go") || strings.HasSuffix(rel, "_templ.go") {
			continue
		}
		if only != "" && !slices.Contains(strings.Split(only, ","), rel) {
			continue
		}
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var found []finding
		switch filepath.Ext(rel) {
		case ".templ":
			found = templTexts(t, rel, string(src))
		case ".go":
			found = goTexts(t, rel, src)
		case ".js":
			found = scriptTexts(rel, string(src))
		}
		checked++
		for _, f := range found {
			t.Errorf("%s:%d: text outside the catalogues: %q", rel, f.line, f.text)
		}
	}
	if checked < 20 && only == "" {
		t.Fatalf("only %d files checked: the test no longer finds the sources", checked)
	}
}

type finding struct {
	line int
	text string
}

// hasWords reports whether a piece of markup text has a word in it (digits,
// punctuation, arrows and entities are not words).
func hasWords(s string) bool {
	s = entity.ReplaceAllString(s, " ")
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

var entity = regexp.MustCompile(`&[#a-zA-Z0-9]+;`)

// textAttributes are the attributes whose values people read or hear.
var textAttributes = map[string]bool{"aria-label": true, "title": true, "placeholder": true, "alt": true,
	"aria-description": true, "aria-roledescription": true, "aria-valuetext": true, "label": true, "summary": true}

// templTexts finds text in a template's markup, and prose in the Go code
// it contains (expressions, code blocks, functions in the file).
func templTexts(t *testing.T, path, src string) []finding {
	t.Helper()
	tf, err := templparser.ParseString(src)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []finding
	lineOf := func(r templparser.Range) int { return int(r.From.Line) + 1 }
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem())
			}
			return
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
			}
			return
		case reflect.Struct:
		default:
			return
		}
		if !v.CanAddr() {
			c := reflect.New(v.Type())
			c.Elem().Set(v)
			v = c.Elem()
		}
		switch n := v.Addr().Interface().(type) {
		case *templparser.Text:
			if hasWords(n.Value) {
				out = append(out, finding{lineOf(n.Range), strings.TrimSpace(n.Value)})
			}
			return
		case *templparser.ConstantAttribute:
			if textAttributes[strings.ToLower(n.Key.String())] && hasWords(n.Value) {
				out = append(out, finding{lineOf(n.ValueRange), n.Value})
			}
			return
		case *templparser.Expression:
			for _, lit := range goLiterals(n.Value) {
				if prose(lit) {
					out = append(out, finding{lineOf(n.Range), lit})
				}
			}
			return
		case *templparser.ScriptElement, *templparser.RawElement:
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				walk(v.Field(i))
			}
		}
	}
	for _, n := range tf.Nodes {
		if g, ok := n.(*templparser.TemplateFileGoExpression); ok {
			// Go code between the templates: read it as Go.
			out = append(out, goCodeTexts(path, g.Expression.Value, int(g.Expression.Range.From.Line))...)
			continue
		}
		walk(reflect.ValueOf(n))
	}
	return out
}

// goLiterals returns the string literals in a piece of Go code.
func goLiterals(code string) []string {
	var s scanner.Scanner
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(code))
	s.Init(file, []byte(code), func(token.Position, string) {}, 0)
	var out []string
	for {
		_, tok, lit := s.Scan()
		if tok == token.EOF {
			return out
		}
		if tok == token.STRING {
			if v, err := strconv.Unquote(lit); err == nil {
				out = append(out, v)
			}
		}
	}
}

func goCodeTexts(path, code string, firstLine int) []finding {
	f, err := parser.ParseFile(token.NewFileSet(), path, "package x\n"+code, parser.ParseComments)
	if err != nil {
		// Code blocks that are not whole declarations: fall back to literals.
		var out []finding
		for _, lit := range goLiterals(code) {
			if prose(lit) {
				out = append(out, finding{firstLine + 1, lit})
			}
		}
		return out
	}
	return astTexts(token.NewFileSet(), f, firstLine)
}

// goTexts finds prose in the string literals of a Go file, except where Go
// code talks to programs and operators rather than people: logs, errors
// that are wrapped (English), panics, headers, struct tags, imports.
func goTexts(t *testing.T, path string, src []byte) []finding {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return astTexts(fset, f, 0)
}

// notForPeople are functions and methods whose string arguments go to
// logs, to programs or to developers, never to people.
var notForPeople = map[string]bool{
	"Error": true, "Warn": true, "Info": true, "Debug": true, "Log": true, "Logf": true,
	"Fatal": true, "Fatalf": true, "Panicf": true, "panic": true, "Set": true, "Get": true, "Add": true,
	"Del": true, "MustCompile": true, "Compile": true, "Setenv": true, "Getenv": true, "LookupEnv": true,
	"Handle": true, "HandleFunc": true, "Header": true, "Cookie": true, "PathValue": true, "FormValue": true,
	"Any": true, "Int": true, "Bool": true, "Duration": true, "Group": true, "WithLabelValues": true,
	"Close": true, "ParseInLocation": true, "Parse": true, "Format": true, "AppendFormat": true,
	"LoadLocation": true, "Sscanf": true, "Unquote": true, "NewDesc": true,
	// Command-line flags: their help is the operator's usage text (English).
	"StringVar": true, "IntVar": true, "BoolVar": true, "DurationVar": true, "Float64Var": true,
	"Int64Var": true, "Uint64Var": true, "Var": true, "Func": true, "TextVar": true, "BoolFunc": true,
}

func astTexts(fset *token.FileSet, f *ast.File, lineOffset int) []finding {
	var out []finding
	dataLines := map[int]bool{}
	for _, cg := range f.Comments {
		if strings.Contains(cg.Text(), "i18n:data") {
			dataLines[fset.Position(cg.End()).Line+1] = true
			dataLines[fset.Position(cg.End()).Line] = true
		}
	}
	skip := map[ast.Node]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.KeyValueExpr:
			// Help texts of metrics are for operators (in English).
			if k, ok := n.Key.(*ast.Ident); ok && k.Name == "Help" {
				markLiterals(n.Value, skip)
			}
		case *ast.ImportSpec, *ast.Field:
			if fl, ok := n.(*ast.Field); ok && fl.Tag != nil {
				skip[fl.Tag] = true
			}
			if _, ok := n.(*ast.ImportSpec); ok {
				return false
			}
		case *ast.GenDecl:
			if dataLines[fset.Position(n.Pos()).Line] {
				return false
			}
		case *ast.ValueSpec:
			if dataLines[fset.Position(n.Pos()).Line] {
				return false
			}
		case *ast.CallExpr:
			name, recv := callName(n.Fun)
			if notForPeople[name] || (name == "Errorf" && recv == "fmt") || (name == "New" && recv == "errors") {
				for _, a := range n.Args {
					markLiterals(a, skip)
				}
			}
		case *ast.BasicLit:
			if n.Kind != token.STRING || skip[n] {
				return true
			}
			v, err := strconv.Unquote(n.Value)
			if err == nil && prose(v) {
				out = append(out, finding{fset.Position(n.Pos()).Line + lineOffset, v})
			}
		}
		return true
	})
	return out
}

func markLiterals(n ast.Node, skip map[ast.Node]bool) {
	ast.Inspect(n, func(n ast.Node) bool {
		if lit, ok := n.(*ast.BasicLit); ok {
			skip[lit] = true
		}
		return true
	})
}

func callName(fun ast.Expr) (name, recv string) {
	switch f := fun.(type) {
	case *ast.Ident:
		return f.Name, ""
	case *ast.SelectorExpr:
		if id, ok := f.X.(*ast.Ident); ok {
			return f.Sel.Name, id.Name
		}
		return f.Sel.Name, ""
	}
	return "", ""
}

var (
	catalogueKey = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_-]+)+$`)
	verbs        = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z]`)
	capitalWord  = regexp.MustCompile(`^[A-ZÄÖÜ][a-zäöüß]+$`)
	// Words that are data, not texts: the names of the Ämter, of the
	// cities and of the event formats are stored in events as they are.
	dataWords = func() map[string]bool {
		out := map[string]bool{}
		for _, list := range [][]string{domain.Aemter, domain.Cities, domain.Formats} {
			for _, w := range list {
				out[w] = true
			}
		}
		return out
	}()
)

// prose reports whether a Go or JavaScript string literal reads like a text
// for people rather than an identifier, a key, a path or markup.
func prose(s string) bool {
	if catalogueKey.MatchString(s) {
		return false
	}
	plain := strings.TrimSpace(verbs.ReplaceAllString(s, ""))
	letters := 0
	for _, r := range plain {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	if letters < 2 {
		return false
	}
	if dataWords[plain] || plain == "Bearer" {
		return false
	}
	umlauts := strings.ContainsAny(plain, "äöüßÄÖÜ„“…–")
	if !umlauts && strings.ContainsAny(plain, "/=<>{}#") {
		return false // a path, a selector, markup, a protocol line
	}
	if umlauts {
		return true
	}
	if capitalWord.MatchString(plain) {
		return true
	}
	if strings.Contains(plain, " ") {
		for _, r := range plain {
			if unicode.IsUpper(r) {
				return true
			}
		}
		return strings.ContainsAny(plain, ".!?:")
	}
	return false
}

var jsString = regexp.MustCompile(`"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'`)

// scriptTexts finds prose in the string literals of a script (comments
// are skipped).
func scriptTexts(path, src string) []finding {
	var out []finding
	for i, line := range strings.Split(src, "\n") {
		code := line
		if j := strings.Index(code, "//"); j >= 0 && !strings.Contains(code[:j], `"`) {
			code = code[:j]
		}
		if strings.HasPrefix(strings.TrimSpace(code), "*") || strings.HasPrefix(strings.TrimSpace(code), "/*") {
			continue
		}
		for _, m := range jsString.FindAllStringSubmatch(code, -1) {
			lit := m[1] + m[2]
			if lit == "use strict" {
				continue
			}
			if prose(lit) {
				out = append(out, finding{i + 1, lit})
			}
		}
	}
	_ = path
	return out
}

// keyCalls are the functions that take a catalogue key, and where: the
// index of the key among the arguments, and how many arguments before the
// placeholders' values (trn's count is its text's first value).
var keyCalls = map[string]struct{ key, valuesFrom, implicit int }{
	"Errorf": {1, 2, 0}, "FieldError": {1, 2, 0}, "M": {0, 1, 0}, "tr": {1, 2, 0}, "trHTML": {1, 2, 0},
	"trn": {1, 3, 1}, "T": {0, 1, 0}, "HTML": {0, 1, 0}, "N": {0, 2, 1}, "newRequestError": {1, 2, 0},
}

// Every key the code names is in the catalogues, and a call passes as many
// values as its text has placeholders (a missing one would print
// "%!s(MISSING)" to people). Keys built at run time ("role."+r) are
// checked where they are built: by the tests of those types.
func TestEveryKeyInTheCodeIsInTheCatalogues(t *testing.T) {
	de, err := i18nTexts("de")
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, pattern := range []string{"web/*.go", "domain/*.go", "projections/*.go", "embed/*.go", "cmd/logbuch/*.go"} {
		m, _ := filepath.Glob(filepath.Join("..", pattern))
		files = append(files, m...)
	}
	calls := 0
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			name, recv := callName(call.Fun)
			kc, ok := keyCalls[name]
			if !ok || len(call.Args) <= kc.key || (name == "Errorf" && recv == "fmt") {
				return true
			}
			lit, ok := call.Args[kc.key].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			key, _ := strconv.Unquote(lit.Value)
			if !catalogueKey.MatchString(key) {
				return true // a format of fmt, or a text (TestNoTextsOutsideTheCatalogues finds those)
			}
			calls++
			where := fset.Position(call.Pos())
			if name == "trn" || name == "N" {
				key += ".other"
			}
			text, ok := de[key]
			if !ok {
				t.Errorf("%s:%d: key %s is in no catalogue", where.Filename, where.Line, key)
				return true
			}
			if call.Ellipsis.IsValid() {
				return true // values passed on as args...: counted where they come from
			}
			got := len(call.Args) - kc.valuesFrom + kc.implicit
			if want := countVerbs(text); got != want {
				t.Errorf("%s:%d: %s has %d placeholders, the call passes %d values", where.Filename, where.Line, key, want, got)
			}
			return true
		})
	}
	if calls < 500 {
		t.Fatalf("only %d calls with a key found: the test no longer sees the code", calls)
	}
}

// countVerbs counts the values a text takes (%[2]s counts as the second).
func countVerbs(s string) int {
	n, next := 0, 1
	for _, m := range regexp.MustCompile(`%(\[(\d+)\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`).FindAllStringSubmatch(s, -1) {
		if strings.HasSuffix(m[0], "%") {
			continue
		}
		idx := next
		if m[2] != "" {
			idx, _ = strconv.Atoi(m[2])
		}
		next = idx + 1
		n = max(n, idx)
	}
	return n
}

func i18nTexts(lang string) (map[string]string, error) {
	b, err := os.ReadFile(filepath.Join("i18n", lang+".json"))
	if err != nil {
		return nil, err
	}
	var out map[string]string
	return out, json.Unmarshal(b, &out)
}
