package web

import (
	"regexp"
	"strings"
	"testing"
)

func TestRenderMarkdownSubset(t *testing.T) {
	for in, want := range map[string]string{
		"**fett** und *kursiv*":          "<p><strong>fett</strong> und <em>kursiv</em></p>\n",
		"Zeile 1\nZeile 2":               "<p>Zeile 1<br>\nZeile 2</p>\n",
		"- eins\n- zwei":                 "<ul>\n<li>eins</li>\n<li>zwei</li>\n</ul>\n",
		"1. a\n2. b":                     "<ol>\n<li>a</li>\n<li>b</li>\n</ol>\n",
		"[Stadt](https://konstanz.de/x)": `<p><a href="https://konstanz.de/x" rel="noopener noreferrer nofollow">Stadt</a></p>` + "\n",
		"[Mail](mailto:a@b.de)":          `<p><a href="mailto:a@b.de" rel="noopener noreferrer nofollow">Mail</a></p>` + "\n",
		"siehe https://heilbronn.de":     `<p>siehe <a href="https://heilbronn.de" rel="noopener noreferrer nofollow">https://heilbronn.de</a></p>` + "\n",
		"# Titel":                        "<p><strong>Titel</strong></p>\n",
		"a < b & c":                      "<p>a &lt; b &amp; c</p>\n",
	} {
		if got := RenderMarkdown(in); got != want {
			t.Errorf("%q:\n got %q\nwant %q", in, got, want)
		}
	}
}

// Attacks a wall post might try; none may leave an active element, an
// event handler or a script URL.
func TestRenderMarkdownRefusesXSS(t *testing.T) {
	for _, in := range []string{
		`<script>alert(1)</script>`,
		"<script>\nalert(1)\n</script>",
		`<img src=x onerror=alert(1)>`,
		`<a href="javascript:alert(1)">x</a>`,
		`[klick](javascript:alert(1))`,
		`[klick](JaVaScRiPt:alert(1))`,
		`[klick](javascript&#58;alert(1))`,
		`[klick](&#x6A;avascript:alert(1))`,
		`[klick]( javascript:alert(1))`,
		`[klick](<javascript:alert(1)>)`,
		`[klick](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
		`[klick](vbscript:msgbox)`,
		`[klick](//evil.example/x)`,
		`[klick](https://x" onmouseover="alert(1))`,
		`[x](https://a.de "title\" onclick=\"alert(1)")`,
		`![bild](https://evil.example/track.png)`,
		`![x](javascript:alert(1))`,
		`<javascript:alert(1)>`,
		`[a]: javascript:alert(1)` + "\n\n[a]",
		"<div onclick=alert(1)>\n\nx\n</div>",
		`**<svg/onload=alert(1)>**`,
		"`<script>`",
		`<iframe src="https://evil.example"></iframe>`,
		`[x](https://user:pw@evil.example)`,
	} {
		out := RenderMarkdown(in)
		if problem := unsafeHTML(out); problem != "" {
			t.Errorf("%q rendered %q: %s", in, out, problem)
		}
	}
}

var (
	tagPattern  = regexp.MustCompile(`<(/?)([a-zA-Z0-9]+)([^>]*)>`)
	allowedTags = map[string]bool{"p": true, "br": true, "strong": true, "em": true, "ul": true, "ol": true, "li": true, "a": true, "code": true}
	safeAnchor  = regexp.MustCompile(`^ href="(https?://[^"<>\s]+|mailto:[^"<>\s]+)" rel="noopener noreferrer nofollow"$`)
)

// unsafeHTML says what is wrong with rendered HTML, or "".
func unsafeHTML(out string) string {
	for _, m := range tagPattern.FindAllStringSubmatch(out, -1) {
		tag, attrs := strings.ToLower(m[2]), m[3]
		if !allowedTags[tag] {
			return "tag " + tag
		}
		if m[1] == "/" && attrs != "" {
			return "attributes on a closing tag"
		}
		if tag == "a" && m[1] == "" {
			if !safeAnchor.MatchString(attrs) {
				return "link " + attrs
			}
			continue
		}
		if attrs != "" {
			return "attributes on " + tag
		}
	}
	// Whatever is left outside the tags must not open one.
	rest := tagPattern.ReplaceAllString(out, "")
	if strings.ContainsAny(rest, "<>\"") {
		return "stray markup characters"
	}
	return ""
}

func FuzzRenderMarkdown(f *testing.F) {
	for _, s := range []string{"**a** *b*", "- x\n- y", "[l](https://a.de)", "<script>x</script>", "[x](javascript:1)", "![i](https://a/b.png)", "a\nb", "<http://x.de>", "x@y.de", "*[a](https://b.de)*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := RenderMarkdown(in)
		if problem := unsafeHTML(out); problem != "" {
			t.Fatalf("%q rendered %q: %s", in, out, problem)
		}
	})
}
