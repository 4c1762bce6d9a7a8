package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/uuid"

	"logbuch/domain"
	"logbuch/projections"
)

// wallEvent plans a running event with two workshop groups.
func wallEvent(t *testing.T, m *Main, admin *actor) (string, string) {
	t.Helper()
	now := time.Now()
	event, code := planEvent(t, m, admin, "#KNmeetsHN Wand", now.Add(-time.Hour), now.Add(3*time.Hour))
	for _, g := range []string{"Inkubator DigitallotsInnen", "Quo vadis, Verwaltungskultur"} {
		if status, out, _ := postJSON(t, admin, m.URL()+"/veranstaltungen/"+event+"/gruppen", uuid.NewString(), `{"name":"`+g+`"}`); status != 200 {
			t.Fatalf("group %s: %d %v", g, status, out)
		}
	}
	return event, code
}

func wallPost(t *testing.T, m *Main, a *actor, event, group, text string) string {
	t.Helper()
	status, out, _ := postJSON(t, a, m.URL()+"/veranstaltungen/"+event+"/wand", uuid.NewString(), `{"text":`+jsonString(text)+`,"group":"`+group+`"}`)
	if status != 200 {
		t.Fatalf("post: %d %v", status, out)
	}
	return out["id"].(string)
}

func jsonString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func TestWallEditRightsHideAndGuestScope(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	anna := newActor(t, m, domain.RoleLotse)
	bert := newActor(t, m, domain.RoleLotse)
	event, code := wallEvent(t, m, admin)
	other, _ := wallEvent(t, m, admin)
	wall := m.URL() + "/veranstaltungen/" + event + "/wand/"

	post := wallPost(t, m, anna, event, "1", "Ergebnis: **mehr Mut**")
	// Bert may not edit or delete Anna's post; Anna may.
	for path, body := range map[string]string{"/bearbeiten": `{"text":"übernommen"}`, "/loeschen": `{}`} {
		before := lastSeq(t, m)
		if status, out, _ := postJSON(t, bert, wall+post+path, uuid.NewString(), body); status != http.StatusForbidden {
			t.Fatalf("bert %s anna's post: %d %v", path, status, out)
		}
		if lastSeq(t, m) != before {
			t.Fatal("a refused edit appended")
		}
	}
	if status, out, _ := postJSON(t, anna, wall+post+"/bearbeiten", uuid.NewString(), `{"text":"Ergebnis: *noch mehr* Mut"}`); status != 200 {
		t.Fatalf("anna edits her post: %d %v", status, out)
	}
	p, _, _ := m.Runner.WallPost(post)
	if p.Text != "Ergebnis: *noch mehr* Mut" || !p.Edited {
		t.Fatalf("after the edit: %+v", p)
	}
	// The page renders it as safe Markdown.
	if _, page := getBody(t, bert, m.URL()+"/veranstaltungen/"+event); !strings.Contains(page, "<em>noch mehr</em>") {
		t.Fatal("the wall does not show the edited post's formatting")
	}
	// The post's own page: the author edits and deletes there, nobody else.
	if _, page := getBody(t, anna, wall+post); !strings.Contains(page, `action="/veranstaltungen/`+event+`/wand/`+post+`/bearbeiten"`) || !strings.Contains(page, "Beitrag löschen") {
		t.Fatal("the author's post page has no edit and delete forms")
	}
	if status, page := getBody(t, bert, wall+post); status != 200 || strings.Contains(page, "/bearbeiten") {
		t.Fatalf("another's post page: %d, with edit form %v", status, strings.Contains(page, "/bearbeiten"))
	}
	// +1 once per person.
	if status, _, _ := postJSON(t, bert, wall+post+"/plus", uuid.NewString(), `{}`); status != 200 {
		t.Fatal("bert's +1")
	}
	if status, _, _ := postJSON(t, bert, wall+post+"/plus", uuid.NewString(), `{}`); status != http.StatusConflict {
		t.Fatalf("bert's second +1: %d", status)
	}

	// The facilitator hides it: gone for participants, marked for the facilitator.
	if status, _, _ := postJSON(t, anna, wall+post+"/ausblenden", uuid.NewString(), `{}`); status != http.StatusForbidden {
		t.Fatalf("a Lotsin hides: %d", status)
	}
	// Live: the participants' view and the facilitator's view of the wall.
	ctx := testCtx(t)
	participants, moderation := dialLive(t, ctx, m, bert), dialLive(t, ctx, m, admin)
	subscribe(t, ctx, participants, "veranstaltung/"+event+"/wand", 0)
	subscribe(t, ctx, moderation, "veranstaltung/"+event+"/wand/moderation", 0)
	untilLive(t, ctx, participants, func(html string) bool { return strings.Contains(html, "beitrag-"+post) })
	untilLive(t, ctx, moderation, func(html string) bool { return strings.Contains(html, "beitrag-"+post) })
	if status, out, _ := postJSON(t, admin, wall+post+"/ausblenden", uuid.NewString(), `{}`); status != 200 {
		t.Fatalf("the facilitator hides: %d %v", status, out)
	}
	untilLive(t, ctx, participants, func(html string) bool { return !strings.Contains(html, "beitrag-"+post) })
	untilLive(t, ctx, moderation, func(html string) bool {
		return strings.Contains(html, "beitrag-"+post) && strings.Contains(html, "Wieder einblenden")
	})
	if _, page := getBody(t, bert, m.URL()+"/veranstaltungen/"+event); strings.Contains(page, "beitrag-"+post) {
		t.Fatal("a hidden post is still on a participant's wall")
	}
	if _, page := getBody(t, admin, m.URL()+"/veranstaltungen/"+event); !strings.Contains(page, "beitrag-"+post) || !strings.Contains(page, "Wieder einblenden") {
		t.Fatal("the facilitator does not see the hidden post to show it again")
	}
	if _, md := getBody(t, admin, wall+"export.md"); strings.Contains(md, "noch mehr") {
		t.Fatal("the export contains a hidden post")
	}
	if status, _, _ := postJSON(t, admin, wall+post+"/einblenden", uuid.NewString(), `{}`); status != 200 {
		t.Fatal("unhide")
	}
	if status, md := getBody(t, bert, wall+"export.md"); status != 200 || !strings.Contains(md, "## Inkubator DigitallotsInnen") || !strings.Contains(md, "Ergebnis: *noch mehr* Mut") {
		t.Fatalf("export.md: %d %s", status, md)
	}

	// A guest of this event: their own wall only, and only their own posts.
	guest, _ := joinAsGuest(t, m, code, "Kim aus Heilbronn")
	guest.CSRF = guest.csrfFrom(t, m, "/veranstaltungen/"+event)
	theirs := wallPost(t, m, guest, event, "2", "Gast-Ergebnis")
	if status, _, _ := postJSON(t, guest, wall+post+"/bearbeiten", uuid.NewString(), `{"text":"Gast war hier"}`); status != http.StatusForbidden {
		t.Fatalf("a guest edits staff's post: %d", status)
	}
	if status, _, _ := postJSON(t, guest, wall+theirs+"/bearbeiten", uuid.NewString(), `{"text":"Gast-Ergebnis, ergänzt"}`); status != 200 {
		t.Fatalf("a guest edits their own post: %d", status)
	}
	otherPost := wallPost(t, m, anna, other, "1", "andere Wand")
	otherWall := m.URL() + "/veranstaltungen/" + other + "/wand/"
	before := lastSeq(t, m)
	for _, path := range []string{otherWall + otherPost + "/plus", m.URL() + "/veranstaltungen/" + other + "/gruppe", m.URL() + "/veranstaltungen/" + other + "/wand"} {
		if status, _, _ := postJSON(t, guest, path, uuid.NewString(), `{}`); status != http.StatusForbidden {
			t.Errorf("a guest acts on another event (%s): %d", path, status)
		}
	}
	// Nor through their own event's path with another event's post.
	if status, _, _ := postJSON(t, guest, wall+otherPost+"/plus", uuid.NewString(), `{}`); status != http.StatusNotFound {
		t.Errorf("a guest +1s another event's post through their wall: %d", status)
	}
	for _, path := range []string{"/veranstaltungen/" + other + "/wand/beamer", "/veranstaltungen/" + other + "/wand/export.md", "/veranstaltungen/" + other + "/wand/export.html"} {
		if status, _ := getBody(t, guest, m.URL()+path); status != http.StatusForbidden {
			t.Errorf("a guest opens %s: %d", path, status)
		}
	}
	if lastSeq(t, m) != before {
		t.Fatal("a refused guest command appended")
	}
	// Deleting: only the author, and then it is gone from the wall.
	if status, _, _ := postJSON(t, anna, wall+post+"/loeschen", uuid.NewString(), `{}`); status != 200 {
		t.Fatal("anna deletes her post")
	}
	if _, _, ok := m.Runner.WallPost(post); ok {
		t.Fatal("a deleted post is still on the wall")
	}
}

// multipartPost posts the wall's form with a photo, as a browser would.
func multipartPost(t *testing.T, m *Main, a *actor, event, text string, photo []byte) *http.Response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range map[string]string{"command_id": uuid.NewString(), "csrf": a.CSRF, "text": text, "group": "1"} {
		w.WriteField(k, v)
	}
	fw, _ := w.CreateFormFile("photo", "flipchart.png")
	fw.Write(photo)
	w.Close()
	req, _ := http.NewRequest("POST", m.URL()+"/veranstaltungen/"+event+"/wand", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Cookie", "lb_sitzung="+a.Cookie)
	req.Header.Set("Origin", m.URL())
	return sendForm(t, req)
}

func testImage(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		img.Set(x, x%h, color.RGBA{200, 30, 30, 255})
	}
	return img
}

// bombPNG is a tiny PNG whose header claims width × height pixels.
func bombPNG(width, height uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], width)
	binary.BigEndian.PutUint32(ihdr[4:], height)
	ihdr[8], ihdr[9] = 8, 2 // 8 bits, RGB
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	chunk("IEND", nil)
	return b.Bytes()
}

func TestWallPhotoUploads(t *testing.T) {
	m := startLogbuch(t)
	admin := newActor(t, m, domain.RoleAdmin)
	anna := newActor(t, m, domain.RoleLotse)
	event, code := wallEvent(t, m, admin)
	ctx := testCtx(t)
	stored := func() []string {
		t.Helper()
		names, err := m.Log.UploadNames(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return names
	}

	// A JPEG with an EXIF segment (a location, say): stored re-encoded, without it.
	var jpg bytes.Buffer
	jpeg.Encode(&jpg, testImage(64, 48), nil)
	exif := append([]byte{0xFF, 0xE1, 0x00, 0x16}, []byte("Exif\x00\x00GPS 47.66N 9.17E")...)
	withExif := append(append(append([]byte{}, jpg.Bytes()[:2]...), exif...), jpg.Bytes()[2:]...)

	before := lastSeq(t, m)
	for name, photo := range map[string][]byte{
		"oversized":          append(bytes.Repeat([]byte{0xFF}, 6<<20), withExif...),
		"text claiming .png": []byte("<html><script>alert(1)</script></html>"),
		"gif":                []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
		"png header only":    []byte("\x89PNG\r\n\x1a\nnot really"),
		"decompression bomb": bombPNG(100000, 100000),
		"bomb, one long row": bombPNG(1<<30, 1),
	} {
		res := multipartPost(t, m, anna, event, "Flipchart "+name, photo)
		if res.StatusCode != http.StatusUnprocessableEntity && res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("%s: %d, want a refusal", name, res.StatusCode)
		}
	}
	if got := stored(); len(got) != 0 {
		t.Fatalf("refused uploads stored %v", got)
	}
	if lastSeq(t, m) != before {
		t.Fatal("a refused upload appended")
	}
	// A valid photo with a post the decider refuses (text too long) stores nothing either.
	if res := multipartPost(t, m, anna, event, strings.Repeat("x", domain.MaxPostLength+1), withExif); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("too long text with a photo: %d", res.StatusCode)
	}
	if got := stored(); len(got) != 0 {
		t.Fatalf("a refused post stored its photo: %v", got)
	}

	res := multipartPost(t, m, anna, event, "Unser Flipchart", withExif)
	if res.StatusCode != http.StatusSeeOther {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("valid photo: %d %s", res.StatusCode, b)
	}
	names := stored()
	if len(names) != 1 || !strings.HasSuffix(names[0], ".jpg") {
		t.Fatalf("stored %v", names)
	}
	_, posts, _, _ := m.Runner.Event(event)
	i := slices.IndexFunc(posts, func(p projections.WallPostView) bool { return p.Photo == names[0] })
	if i < 0 {
		t.Fatal("the post does not name the stored photo")
	}
	// The event names the object, never carries the bytes.
	rec, err := m.Log.Message(ctx, posts[i].Seq)
	if err != nil {
		t.Fatal(err)
	}
	if raw, _ := json.Marshal(rec.Events); len(raw) > 1000 || bytes.Contains(raw, []byte("GPS")) {
		t.Fatalf("the log message of the post carries more than the photo's name: %s", raw)
	}

	photo := "/veranstaltungen/" + event + "/wand/fotos/" + names[0]
	req, _ := http.NewRequest("GET", m.URL()+photo, nil)
	req.Header.Set("Cookie", "lb_sitzung="+anna.Cookie)
	got, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if got.StatusCode != 200 || got.Header.Get("Content-Type") != "image/jpeg" || got.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("serving the photo: %d %v", got.StatusCode, got.Header)
	}
	if bytes.Contains(data, []byte("GPS")) || bytes.Contains(data, []byte("Exif")) {
		t.Fatal("the stored photo still carries its EXIF data")
	}
	if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
		t.Fatalf("the stored photo is no JPEG: %v", err)
	}
	// Only for those who may see this wall.
	if status, _ := getBody(t, nil, m.URL()+photo); status != http.StatusSeeOther {
		t.Fatalf("anonymous photo: %d", status)
	}
	other, _ := wallEvent(t, m, admin)
	guestA, _ := joinAsGuest(t, m, code, "Kim")
	if status, _ := getBody(t, guestA, m.URL()+photo); status != 200 {
		t.Fatalf("a guest of the event: %d", status)
	}
	if status, _ := getBody(t, anna, m.URL()+"/veranstaltungen/"+other+"/wand/fotos/"+names[0]); status != http.StatusNotFound {
		t.Fatalf("the photo through another event's wall: %d", status)
	}
	// The self-contained export embeds it.
	status, doc := getBody(t, anna, m.URL()+"/veranstaltungen/"+event+"/wand/export.html")
	if status != 200 || !strings.Contains(doc, "data:image/jpeg;base64,") || !strings.Contains(doc, "<h2>Inkubator DigitallotsInnen</h2>") || strings.Contains(doc, "<script") {
		t.Fatalf("export.html: %d %.3000s", status, doc)
	}
}

func TestDemoHasTheWorkshopWallOfKNmeetsHN(t *testing.T) {
	m := startLogbuch(t, "--demo")
	events, _ := m.Runner.Events()
	i := slices.IndexFunc(events, func(e projections.EventInfo) bool { return e.Format == "#KNmeetsHN" })
	if i < 0 {
		t.Fatal("no #KNmeetsHN in the demo")
	}
	ev, posts, _, _ := m.Runner.Event(events[i].ID)
	if ev.Start.In(domain.Berlin).Format("2006-01-02") != "2023-10-17" || len(ev.Groups) != 4 || ev.Groups[3].Name != "Nutzerzentrierung: Mal anders herum gedacht" {
		t.Fatalf("#KNmeetsHN 2023: %s %+v", ev.Start, ev.Groups)
	}
	perGroup, plusOnes, guests := map[string]int{}, 0, 0
	for _, p := range posts {
		perGroup[p.Group]++
		plusOnes += len(p.PlusOnes)
		if strings.HasPrefix(p.Actor, "guest:") && p.GuestName != "" {
			guests++
		}
	}
	if len(perGroup) != 4 || perGroup[""] != 0 || plusOnes == 0 || guests == 0 {
		t.Fatalf("results per group %v, +1 %d, guest posts %d", perGroup, plusOnes, guests)
	}
	admin := newActor(t, m, domain.RoleAdmin)
	status, md := getBody(t, admin, m.URL()+"/veranstaltungen/"+ev.ID+"/wand/export.md")
	if status != 200 || !strings.Contains(md, "## Quo vadis, Verwaltungskultur") || !strings.Contains(md, "Kerstin (Heilbronn) (Gast)") {
		t.Fatalf("demo export: %d %s", status, md)
	}
	if _, page := getBody(t, admin, m.URL()+"/veranstaltungen/"+ev.ID); !strings.Contains(page, "<strong>Patenschaften über Stadtgrenzen:</strong>") {
		t.Fatal("the demo wall does not show its formatting")
	}
}

// untilLive reads live messages until one's HTML satisfies ok.
func untilLive(t *testing.T, ctx context.Context, c *websocket.Conn, ok func(html string) bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		msg, got := readLive(t, ctx, c, time.Until(deadline))
		if got && ok(msg.HTML) {
			return
		}
	}
	t.Fatal("the live view never showed what was expected")
}
