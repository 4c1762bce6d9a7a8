package web

import (
	"bytes"
	"html"
	"net/url"
	"strings"
	"sync"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
)

// Posts on the wall are written in a small, safe subset of Markdown: bold,
// italic, lists, links (http, https and mailto only) and line breaks.
// goldmark parses (CommonMark, with bare links recognised); this file
// writes the HTML itself from the syntax tree, so nothing reaches the page
// that is not on this short list: every text is escaped, raw HTML is shown
// as text, images become their description, and everything else (headings,
// code, quotes) becomes plain paragraphs.

var markdownParser = goldmark.New(goldmark.WithExtensions(extension.Linkify)).Parser()

// linkRel keeps a linked page from reaching back (noopener), learning
// where the reader came from (noreferrer) or gaining from the link
// (nofollow).
const linkRel = "noopener noreferrer nofollow"

// RenderMarkdown turns a post's text into safe HTML.
func RenderMarkdown(src string) string {
	markdownCache.Lock()
	html, ok := markdownCache.m[src]
	markdownCache.Unlock()
	if ok {
		return html
	}
	html = renderMarkdown(src)
	markdownCache.Lock()
	if len(markdownCache.m) >= markdownCacheSize {
		clear(markdownCache.m) // bounded: the walls of the day refill it
	}
	markdownCache.m[src] = html
	markdownCache.Unlock()
	return html
}

// A wall is rendered again for every change and every audience, while a
// post's text changes rarely: the HTML of recent texts is kept, so a
// render does not parse every post anew.
const markdownCacheSize = 4096

var markdownCache = struct {
	sync.Mutex
	m map[string]string
}{m: map[string]string{}}

func renderMarkdown(src string) string {
	source := []byte(src)
	doc := markdownParser.Parse(text.NewReader(source))
	var b bytes.Buffer
	mdBlocks(&b, doc, source)
	return b.String()
}

func mdBlocks(b *bytes.Buffer, n ast.Node, src []byte) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		mdBlock(b, c, src)
	}
}

func mdBlock(b *bytes.Buffer, n ast.Node, src []byte) {
	switch n := n.(type) {
	case *ast.Paragraph:
		b.WriteString("<p>")
		mdInlines(b, n, src)
		b.WriteString("</p>\n")
	case *ast.TextBlock: // the text of a tight list item
		mdInlines(b, n, src)
	case *ast.Heading:
		b.WriteString("<p><strong>")
		mdInlines(b, n, src)
		b.WriteString("</strong></p>\n")
	case *ast.List:
		tag := "ul"
		if n.IsOrdered() {
			tag = "ol"
		}
		b.WriteString("<" + tag + ">\n")
		mdBlocks(b, n, src)
		b.WriteString("</" + tag + ">\n")
	case *ast.ListItem:
		b.WriteString("<li>")
		mdBlocks(b, n, src)
		b.WriteString("</li>\n")
	case *ast.CodeBlock, *ast.FencedCodeBlock, *ast.HTMLBlock:
		// Shown as the text it is, line by line.
		lines := n.Lines()
		if lines.Len() == 0 {
			return
		}
		b.WriteString("<p>")
		for i := 0; i < lines.Len(); i++ {
			if i > 0 {
				b.WriteString("<br>\n")
			}
			seg := lines.At(i)
			b.WriteString(html.EscapeString(strings.TrimRight(string(seg.Value(src)), "\r\n")))
		}
		b.WriteString("</p>\n")
	case *ast.ThematicBreak:
		// not part of the subset
	default: // quotes and anything else: their content
		mdBlocks(b, n, src)
	}
}

func mdInlines(b *bytes.Buffer, n ast.Node, src []byte) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		mdInline(b, c, src)
	}
}

func mdInline(b *bytes.Buffer, n ast.Node, src []byte) {
	switch n := n.(type) {
	case *ast.Text:
		b.WriteString(html.EscapeString(string(n.Segment.Value(src))))
		if n.SoftLineBreak() || n.HardLineBreak() {
			b.WriteString("<br>\n")
		}
	case *ast.String:
		b.WriteString(html.EscapeString(string(n.Value)))
	case *ast.Emphasis:
		tag := "em"
		if n.Level >= 2 {
			tag = "strong"
		}
		b.WriteString("<" + tag + ">")
		mdInlines(b, n, src)
		b.WriteString("</" + tag + ">")
	case *ast.Link:
		if href, ok := safeLink(string(n.Destination)); ok {
			b.WriteString(`<a href="` + html.EscapeString(href) + `" rel="` + linkRel + `">`)
			mdInlines(b, n, src)
			b.WriteString("</a>")
			return
		}
		mdInlines(b, n, src)
	case *ast.AutoLink:
		dest := string(n.URL(src))
		if n.AutoLinkType == ast.AutoLinkEmail && !strings.HasPrefix(strings.ToLower(dest), "mailto:") {
			dest = "mailto:" + dest
		}
		label := html.EscapeString(string(n.Label(src)))
		if href, ok := safeLink(dest); ok {
			b.WriteString(`<a href="` + html.EscapeString(href) + `" rel="` + linkRel + `">` + label + "</a>")
			return
		}
		b.WriteString(label)
	case *ast.RawHTML:
		for i := 0; i < n.Segments.Len(); i++ {
			seg := n.Segments.At(i)
			b.WriteString(html.EscapeString(string(seg.Value(src))))
		}
	case *ast.CodeSpan:
		b.WriteString("<code>")
		mdInlines(b, n, src)
		b.WriteString("</code>")
	default: // images: their description; anything else: its text
		mdInlines(b, n, src)
	}
}

// safeLink accepts absolute http and https links with a host, and mailto
// links; it returns the link as it will be written.
func safeLink(dest string) (string, bool) {
	if dest == "" || len(dest) > 2048 || strings.ContainsAny(dest, " \t\r\n\\") {
		return "", false
	}
	u, err := url.Parse(dest)
	if err != nil {
		return "", false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		if u.Host == "" || u.User != nil {
			return "", false
		}
	case "mailto":
		if u.Opaque == "" {
			return "", false
		}
	default:
		return "", false
	}
	return u.String(), true
}
