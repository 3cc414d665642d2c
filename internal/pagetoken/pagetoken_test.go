package pagetoken_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/jobplane/jobplane/internal/pagetoken"
)

func TestTokens(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	s, err := pagetoken.New(key)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := pagetoken.New(bytes.Repeat([]byte{8}, 32))
	tok := s.Seal("123456789012|ListJobs|Active,Complete", []byte("cursor-1"))

	t.Run("a token opens in its own scope", func(t *testing.T) {
		got, err := s.Open("123456789012|ListJobs|Active,Complete", tok)
		if err != nil || string(got) != "cursor-1" {
			t.Fatalf("Open = %q, %v", got, err)
		}
	})
	t.Run("a token is URL-safe and fits the model's NextToken pattern", func(t *testing.T) {
		if strings.ContainsAny(tok, "+/= ") {
			t.Fatalf("token %q", tok)
		}
	})
	refused := map[string]func() (string, string){
		"another account":  func() (string, string) { return "999999999999|ListJobs|Active,Complete", tok },
		"another filter":   func() (string, string) { return "123456789012|ListJobs|Active", tok },
		"an altered token": func() (string, string) { return "123456789012|ListJobs|Active,Complete", flip(tok) },
		"a forged token": func() (string, string) {
			return "123456789012|ListJobs|Active,Complete", other.Seal("123456789012|ListJobs|Active,Complete", []byte("cursor-1"))
		},
		"garbage":           func() (string, string) { return "x", "!!!" },
		"an empty token":    func() (string, string) { return "x", "" },
		"a truncated token": func() (string, string) { return "123456789012|ListJobs|Active,Complete", tok[:5] },
		"an oversize token": func() (string, string) { return "x", strings.Repeat("A", 2000) },
	}
	for name, tc := range refused {
		t.Run(name+" is refused", func(t *testing.T) {
			scope, token := tc()
			if _, err := s.Open(scope, token); !errors.Is(err, pagetoken.ErrInvalid) {
				t.Fatalf("Open = %v, want ErrInvalid", err)
			}
		})
	}
	t.Run("a short key is refused", func(t *testing.T) {
		if _, err := pagetoken.New([]byte("short")); err == nil {
			t.Fatal("accepted")
		}
	})
	t.Run("the longest cursor still fits 1,024 characters", func(t *testing.T) {
		if n := len(s.Seal("scope", make([]byte, pagetoken.MaxCursor))); n > 1024 {
			t.Fatalf("token of %d characters", n)
		}
	})
}

func TestLargerCursors(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	s, err := pagetoken.NewWithMaxCursor(key, 1024)
	if err != nil {
		t.Fatal(err)
	}
	cursor := bytes.Repeat([]byte("k"), 1024)
	tok := s.Seal("scope", cursor)
	t.Run("a cursor up to the limit seals and opens", func(t *testing.T) {
		got, err := s.Open("scope", tok)
		if err != nil || !bytes.Equal(got, cursor) {
			t.Fatalf("Open = %d bytes, %v", len(got), err)
		}
	})
	t.Run("a token is refused in another scope or altered", func(t *testing.T) {
		for _, tc := range [][2]string{{"other", tok}, {"scope", flip(tok)}, {"scope", tok + strings.Repeat("A", 8)}} {
			if _, err := s.Open(tc[0], tc[1]); !errors.Is(err, pagetoken.ErrInvalid) {
				t.Fatalf("Open = %v, want ErrInvalid", err)
			}
		}
	})
	t.Run("a token of a larger limit does not open with New's", func(t *testing.T) {
		small, _ := pagetoken.New(key)
		if _, err := small.Open("scope", tok); !errors.Is(err, pagetoken.ErrInvalid) {
			t.Fatalf("Open = %v, want ErrInvalid", err)
		}
	})
	t.Run("a cursor past the limit is a programming error", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Fatal("Seal accepted a cursor past the limit")
			}
		}()
		s.Seal("scope", make([]byte, 1025))
	})
	t.Run("a short key or a negative limit is refused", func(t *testing.T) {
		if _, err := pagetoken.NewWithMaxCursor([]byte("short"), 1024); err == nil {
			t.Fatal("accepted a short key")
		}
		if _, err := pagetoken.NewWithMaxCursor(key, -1); err == nil {
			t.Fatal("accepted a negative limit")
		}
	})
}

func flip(tok string) string {
	b := []byte(tok)
	if b[2] == 'A' {
		b[2] = 'B'
	} else {
		b[2] = 'A'
	}
	return string(b)
}
