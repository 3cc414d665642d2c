package sigv4

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseCredentials(t *testing.T) {
	t.Parallel()
	file := `# jobplane credentials
AKIAIOSFODNN7EXAMPLE   wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY   123456789012

	# indented comment
AKIAI44QH8DHBEXAMPLE,je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY,210987654321
AKIDMIXED , sec#ret	,  000000000001
`
	creds, err := ParseCredentials(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	want := []Credential{
		{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "123456789012"},
		{"AKIAI44QH8DHBEXAMPLE", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY", "210987654321"},
		{"AKIDMIXED", "sec#ret", "000000000001"},
	}
	if len(creds) != len(want) {
		t.Fatalf("got %d credentials, want %d: %+v", len(creds), len(want), creds)
	}
	for i := range want {
		if creds[i] != want[i] {
			t.Errorf("credential %d = %+v, want %+v", i, creds[i], want[i])
		}
	}
}

func TestParseCredentialsRejectsBadLines(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, file, wantErr string }{
		{"a line with two fields names its line", "# c\nAKID SECRET\n", "line 2"},
		{"a line with four fields names its line", "AKID SECRET 123456789012 extra\n", "line 1"},
		{"an account id of 11 digits is refused", "\n\nAKID SECRET 12345678901\n", "line 3: account id"},
		{"an account id with letters is refused", "AKID SECRET 12345678901x\n", "line 1: account id"},
		{"an access key with a slash is refused", "AK/ID SECRET 123456789012\n", "line 1: access key id"},
		{"a duplicate access key names both lines", "AKID S1 123456789012\n#\nAKID S2 123456789012\n", "line 3: access key id \"AKID\" already defined on line 1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseCredentials(strings.NewReader(c.file))
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, c.wantErr)
			}
		})
	}
}

func TestLoadCredentials(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "credentials")
	if err := os.WriteFile(path, []byte("AKID SECRET 123456789012\nAKID2 SECRET 12\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadCredentials(path); err == nil || !strings.Contains(err.Error(), path+": line 2") {
		t.Fatalf("err = %v, want it to name the file and line 2", err)
	}
	if _, err := LoadCredentials(filepath.Join(dir, "absent")); err == nil {
		t.Fatal("loading a missing file succeeded")
	}
}

func TestNewCredentialSetRejectsDuplicates(t *testing.T) {
	t.Parallel()
	_, err := NewCredentialSet([]Credential{{"A", "s", "123456789012"}, {"A", "t", "123456789012"}})
	if err == nil {
		t.Fatal("duplicate access keys were accepted")
	}
}
