package sigv4

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// Credential is one access key jobplane accepts, and the account its
// requests act as.
type Credential struct {
	AccessKeyID     string
	SecretAccessKey string
	// AccountID is the 12-digit AWS account id requests signed with this
	// key belong to.
	AccountID string
}

// LoadCredentials reads a credentials file in the format described in the
// package documentation.
func LoadCredentials(path string) ([]Credential, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	creds, err := ParseCredentials(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return creds, nil
}

// ParseCredentials reads credentials in the format described in the package
// documentation. It rejects malformed lines, bad account ids and duplicate
// access key ids, naming the line.
func ParseCredentials(r io.Reader) ([]Credential, error) {
	var creds []Credential
	seen := make(map[string]int)
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || text[0] == '#' {
			continue
		}
		fields := strings.FieldsFunc(text, func(r rune) bool {
			return r == ',' || r == ' ' || r == '\t' || r == '\r' || r == '\v' || r == '\f'
		})
		if len(fields) != 3 {
			return nil, fmt.Errorf("line %d: want 3 fields (ACCESS_KEY_ID SECRET_ACCESS_KEY ACCOUNT_ID), got %d", line, len(fields))
		}
		c := Credential{AccessKeyID: fields[0], SecretAccessKey: fields[1], AccountID: fields[2]}
		if strings.Contains(c.AccessKeyID, "/") {
			return nil, fmt.Errorf("line %d: access key id %q contains '/'", line, c.AccessKeyID)
		}
		if !isDigits(c.AccountID, 12) {
			return nil, fmt.Errorf("line %d: account id %q is not 12 digits", line, c.AccountID)
		}
		if first, dup := seen[c.AccessKeyID]; dup {
			return nil, fmt.Errorf("line %d: access key id %q already defined on line %d", line, c.AccessKeyID, first)
		}
		seen[c.AccessKeyID] = line
		creds = append(creds, c)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return creds, nil
}

// CredentialSet is an immutable lookup table of credentials by access key
// id; it is safe for concurrent use.
type CredentialSet struct {
	byKey map[string]Credential
}

// NewCredentialSet indexes creds. Duplicate access key ids are an error.
func NewCredentialSet(creds []Credential) (*CredentialSet, error) {
	s := &CredentialSet{byKey: make(map[string]Credential, len(creds))}
	for _, c := range creds {
		if _, dup := s.byKey[c.AccessKeyID]; dup {
			return nil, fmt.Errorf("sigv4: duplicate access key id %q", c.AccessKeyID)
		}
		s.byKey[c.AccessKeyID] = c
	}
	return s, nil
}

// Lookup returns the credential for accessKeyID, or an *Error of kind
// UnknownAccessKey.
func (s *CredentialSet) Lookup(accessKeyID string) (Credential, error) {
	if c, ok := s.byKey[accessKeyID]; ok {
		return c, nil
	}
	return Credential{}, &Error{Kind: UnknownAccessKey, AccessKeyID: accessKeyID,
		Message: "The AWS Access Key Id you provided does not exist in our records."}
}

// Verify authenticates r, whose signature Parse returned as q: it fails with
// Missing when q is nil (an anonymous request), UnknownAccessKey when the key
// is not in the set, and otherwise as (*Request).Verify does. On success it
// returns the credential the request was signed with.
func (s *CredentialSet) Verify(r *http.Request, q *Request, now time.Time, bodyHash string) (Credential, error) {
	if q == nil {
		return Credential{}, errorf(Missing, "Request is missing Authentication Token")
	}
	c, err := s.Lookup(q.AccessKeyID)
	if err != nil {
		return Credential{}, err
	}
	if err := q.Verify(r, c.SecretAccessKey, now, bodyHash); err != nil {
		return Credential{}, err
	}
	return c, nil
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
