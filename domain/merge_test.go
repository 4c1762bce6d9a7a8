package domain_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"logbuch/domain"
)

func TestTokens(t *testing.T) {
	got := domain.Tokens("Die Kämmerei, bitte!  Danke")
	want := []string{"Die", " ", "Kämmerei", ",", " ", "bitte", "!", "  ", "Danke"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if strings.Join(domain.Tokens("a\n\nb – c"), "") != "a\n\nb – c" {
		t.Fatal("tokens do not join to the text")
	}
}

func TestMerge3(t *testing.T) {
	const base = "Wie stelle ich einen Antrag online? Die Frist beträgt zwei Wochen. Fragen beantwortet das Bürgeramt."
	for _, c := range []struct {
		name, a, b string
		want       string // "" means: conflict
	}{
		{
			name: "different sentences of one paragraph merge",
			a:    "Wie stelle ich einen Bauantrag online? Die Frist beträgt zwei Wochen. Fragen beantwortet das Bürgeramt.",
			b:    "Wie stelle ich einen Antrag online? Die Frist beträgt drei Wochen. Fragen beantwortet das Bürgeramt.",
			want: "Wie stelle ich einen Bauantrag online? Die Frist beträgt drei Wochen. Fragen beantwortet das Bürgeramt.",
		},
		{
			name: "the same word changed differently is a conflict",
			a:    "Wie stelle ich einen Antrag online? Die Frist beträgt drei Wochen. Fragen beantwortet das Bürgeramt.",
			b:    "Wie stelle ich einen Antrag online? Die Frist beträgt vier Wochen. Fragen beantwortet das Bürgeramt.",
		},
		{
			name: "identical concurrent edits are taken once",
			a:    "Wie stelle ich einen Antrag digital? Die Frist beträgt zwei Wochen. Fragen beantwortet das Bürgeramt.",
			b:    "Wie stelle ich einen Antrag digital? Die Frist beträgt zwei Wochen. Fragen beantwortet das Bürgeramt.",
			want: "Wie stelle ich einen Antrag digital? Die Frist beträgt zwei Wochen. Fragen beantwortet das Bürgeramt.",
		},
		{
			name: "different insertions at the same point are a conflict",
			a:    "Wie stelle ich einen Antrag online? Die Frist beträgt zwei Wochen. Siehe Intranet. Fragen beantwortet das Bürgeramt.",
			b:    "Wie stelle ich einen Antrag online? Die Frist beträgt zwei Wochen. Siehe Formular. Fragen beantwortet das Bürgeramt.",
		},
		{
			name: "an edit at the start and one at the end merge",
			a:    "Kurz: Wie stelle ich einen Antrag online? Die Frist beträgt zwei Wochen. Fragen beantwortet das Bürgeramt.",
			b:    "Wie stelle ich einen Antrag online? Die Frist beträgt zwei Wochen. Fragen beantwortet das Bürgeramt gern.",
			want: "Kurz: Wie stelle ich einen Antrag online? Die Frist beträgt zwei Wochen. Fragen beantwortet das Bürgeramt gern.",
		},
		{
			name: "umlauts are letters: changed words merge",
			a:    "Wie stelle ich einen Antrag online? Die Frist beträgt zwölf Wochen. Fragen beantwortet das Bürgeramt.",
			b:    "Wie stelle ich einen Antrag online? Die Frist beträgt zwei Wochen. Fragen beantwortet die Kämmerei.",
			want: "Wie stelle ich einen Antrag online? Die Frist beträgt zwölf Wochen. Fragen beantwortet die Kämmerei.",
		},
		{
			name: "a deletion and an edit elsewhere merge",
			a:    "Wie stelle ich einen Antrag online? Fragen beantwortet das Bürgeramt.",
			b:    "Wie stelle ich einen Antrag online? Die Frist beträgt zwei Wochen. Fragen beantwortet das Hauptamt.",
			want: "Wie stelle ich einen Antrag online? Fragen beantwortet das Hauptamt.",
		},
		{
			name: "a deletion over an edit is a conflict",
			a:    "Wie stelle ich einen Antrag online? Fragen beantwortet das Bürgeramt.",
			b:    "Wie stelle ich einen Antrag online? Die Frist beträgt fünf Wochen. Fragen beantwortet das Bürgeramt.",
		},
		{
			name: "one side unchanged takes the other",
			a:    base,
			b:    "Alles neu.",
			want: "Alles neu.",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, ok := domain.Merge3(base, c.a, c.b)
			if c.want == "" {
				if ok {
					t.Fatalf("merged to %q, want a conflict", got)
				}
				return
			}
			if !ok || got != c.want {
				t.Fatalf("got %q (ok %v), want %q", got, ok, c.want)
			}
			// The order of the writers does not matter.
			if back, ok := domain.Merge3(base, c.b, c.a); !ok || back != got {
				t.Fatalf("swapped: got %q (ok %v), want %q", back, ok, got)
			}
		})
	}
}

func TestWordDiff(t *testing.T) {
	got := domain.WordDiff("Die Frist beträgt zwei Wochen.", "Die Frist beträgt drei Wochen, ab heute.")
	want := []domain.DiffSegment{
		{Op: domain.DiffKeep, Text: "Die Frist beträgt "},
		{Op: domain.DiffDelete, Text: "zwei"},
		{Op: domain.DiffInsert, Text: "drei"},
		{Op: domain.DiffKeep, Text: " Wochen"},
		{Op: domain.DiffInsert, Text: ", ab heute"},
		{Op: domain.DiffKeep, Text: "."},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	if d := domain.WordDiff("", "neu"); !slices.Equal(d, []domain.DiffSegment{{Op: domain.DiffInsert, Text: "neu"}}) {
		t.Fatalf("from nothing: %+v", d)
	}
	if d := domain.WordDiff("gleich", "gleich"); !slices.Equal(d, []domain.DiffSegment{{Op: domain.DiffKeep, Text: "gleich"}}) {
		t.Fatalf("unchanged: %+v", d)
	}
}

// The co-editing rules on a topic's description, through the decider.
func TestEditTopicFieldMerges(t *testing.T) {
	const v1 = "Wie beantrage ich Urlaub? Das Formular liegt im Intranet."
	topic := givenTopic(t, proposed)
	topic = givenTopicMore(t, topic, domain.TopicFieldEdited{Field: "description", Rev: 2, BaseRev: 1, Text: v1})
	// Anna saves first (on rev 2): rev 3.
	annas := "Wie beantrage ich Urlaub im Personalportal? Das Formular liegt im Intranet."
	got, err := domain.Topics.Decide(topic, domain.EditTopicField{Field: "description", BaseRev: "2", Text: annas})
	if err != nil || got[0] != (domain.TopicFieldEdited{Field: "description", Rev: 3, BaseRev: 2, Text: annas}) {
		t.Fatalf("edit on the current revision: %+v %v", got, err)
	}
	topic = givenTopicMore(t, topic, got[0])

	t.Run("a late edit elsewhere merges, and says so", func(t *testing.T) {
		bens := "Wie beantrage ich Urlaub? Das Formular liegt im Intranet unter Personal."
		got, err := domain.Topics.Decide(topic, domain.EditTopicField{Field: "description", BaseRev: "2", Text: bens})
		want := domain.TopicFieldEdited{Field: "description", Rev: 4, BaseRev: 2, Merged: true, Text: "Wie beantrage ich Urlaub im Personalportal? Das Formular liegt im Intranet unter Personal."}
		if err != nil || got[0] != want {
			t.Fatalf("got %+v %v, want %+v", got, err, want)
		}
	})
	t.Run("a late edit of the same place is refused with both versions", func(t *testing.T) {
		bens := "Wie beantrage ich Urlaub per E-Mail? Das Formular liegt im Intranet."
		_, err := domain.Topics.Decide(topic, domain.EditTopicField{Field: "description", BaseRev: "2", Text: bens})
		var c *domain.EditConflict
		if !errors.As(err, &c) || domain.ErrorCode(err) != domain.ECONFLICT || domain.ErrorField(err) != "description" {
			t.Fatalf("got %v, want an edit conflict", err)
		}
		if c.Current != annas || c.CurrentRev != 3 || c.Yours != bens || c.Field != "description" {
			t.Fatalf("conflict %+v does not carry both versions", c)
		}
		if !strings.Contains(said(domain.ErrorMessage(err)), "Fassungen") {
			t.Fatalf("message %q", said(domain.ErrorMessage(err)))
		}
		// The writer decides: sent again on the current revision, it counts.
		got, err := domain.Topics.Decide(topic, domain.EditTopicField{Field: "description", BaseRev: "3", Text: bens})
		if err != nil || got[0].(domain.TopicFieldEdited).Text != bens {
			t.Fatalf("resubmitted: %+v %v", got, err)
		}
	})
	t.Run("the same edit twice changes nothing", func(t *testing.T) {
		got, err := domain.Topics.Decide(topic, domain.EditTopicField{Field: "description", BaseRev: "2", Text: annas})
		if err != nil || len(got) != 0 {
			t.Fatalf("got %+v %v", got, err)
		}
	})
	t.Run("an unknown future revision is refused", func(t *testing.T) {
		_, err := domain.Topics.Decide(topic, domain.EditTopicField{Field: "description", BaseRev: "9", Text: "x"})
		if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorField(err) != "base_rev" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("an edit based on a forgotten revision is a conflict, not an overwrite", func(t *testing.T) {
		old := topic
		for i := 0; i < domain.KeepRevisions+2; i++ {
			rev := old.Description.Rev + 1
			old = givenTopicMore(t, old, domain.TopicFieldEdited{Field: "description", Rev: rev, BaseRev: rev - 1, Text: strings.Repeat("x", i+1)})
		}
		_, err := domain.Topics.Decide(old, domain.EditTopicField{Field: "description", BaseRev: "2", Text: "ganz anders"})
		var c *domain.EditConflict
		if !errors.As(err, &c) || c.Yours != "ganz anders" || c.Current != old.Description.Text {
			t.Fatalf("got %v", err)
		}
		if _, ok := old.Description.At(old.Description.Rev - domain.KeepRevisions); !ok {
			t.Fatalf("revision %d should still be known", old.Description.Rev-domain.KeepRevisions)
		}
	})
	t.Run("too long a text is refused", func(t *testing.T) {
		_, err := domain.Topics.Decide(topic, domain.EditTopicField{Field: "description", BaseRev: "3", Text: strings.Repeat("ä", domain.MaxMergeLength+1)})
		if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorField(err) != "description" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("the title is one line", func(t *testing.T) {
		_, err := domain.Topics.Decide(topic, domain.EditTopicField{Field: "title", BaseRev: "1", Text: "a\nb"})
		if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorField(err) != "title" {
			t.Fatalf("got %v", err)
		}
	})
}

// FuzzMerge3 checks the promises of the merge for any texts: an unchanged
// side takes the other side; the order of the sides does not matter; a
// clean merge keeps every piece of text either side inserted; nothing
// invalid comes out.
func FuzzMerge3(f *testing.F) {
	f.Add("Die Frist beträgt zwei Wochen.", "Die Frist beträgt drei Wochen.", "Die Frist beträgt zwei Monate.")
	f.Add("a b c", "x a b c", "a b c y")
	f.Add("", "neu", "auch neu")
	f.Add("Kämmerei", "Kämmerei!", "Die Kämmerei")
	f.Add("a a a", "a a", "a a a a")
	f.Fuzz(func(t *testing.T, base, a, b string) {
		if len(base) > 400 || len(a) > 400 || len(b) > 400 {
			t.Skip()
		}
		if got, ok := domain.Merge3(base, a, base); !ok || got != a {
			t.Fatalf("merge(base, a, base) = %q %v, want a = %q", got, ok, a)
		}
		if got, ok := domain.Merge3(base, base, b); !ok || got != b {
			t.Fatalf("merge(base, base, b) = %q %v, want b = %q", got, ok, b)
		}
		if got, ok := domain.Merge3(base, a, a); !ok || got != a {
			t.Fatalf("merge(base, a, a) = %q %v, want a", got, ok)
		}
		got, ok := domain.Merge3(base, a, b)
		back, okBack := domain.Merge3(base, b, a)
		if ok != okBack || got != back {
			t.Fatalf("not symmetric: %q %v vs %q %v", got, ok, back, okBack)
		}
		if !ok {
			return
		}
		valid := utf8.ValidString(base) && utf8.ValidString(a) && utf8.ValidString(b)
		if valid && !utf8.ValidString(got) {
			t.Fatalf("merged text %q is not valid UTF-8", got)
		}
		for _, side := range []string{a, b} {
			for _, seg := range domain.WordDiff(base, side) {
				if seg.Op == domain.DiffInsert && !strings.Contains(got, seg.Text) {
					t.Fatalf("merge(%q, %q, %q) = %q lost the insertion %q", base, a, b, got, seg.Text)
				}
			}
		}
	})
}
