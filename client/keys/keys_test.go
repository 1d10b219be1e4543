package keys

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

const hardhatPhrase = "test test test test test test test test test test test junk"

// The phrase Hardhat and Foundry use for their default accounts gives, at
// m/44'/60'/0'/0/i, the addresses every Ethereum tool shows for it. This
// pins our derivation to MetaMask's.
func TestHardhatPhraseGivesWalletAddresses(t *testing.T) {
	for _, tc := range []struct {
		index uint32
		addr  string
		key   string // "" where only the address is pinned
	}{
		{0, "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"},
		{1, "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"},
		{2, "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", ""},
	} {
		k, err := FromMnemonic(hardhatPhrase, "", tc.index)
		if err != nil {
			t.Fatalf("index %d: %v", tc.index, err)
		}
		if got := crypto.PubkeyToAddress(k.PublicKey); got != common.HexToAddress(tc.addr) {
			t.Errorf("index %d (%s): address %s, want %s", tc.index, PathString(tc.index), got.Hex(), tc.addr)
		}
		if tc.key != "" {
			if got := hex.EncodeToString(crypto.FromECDSA(k)); got != tc.key {
				t.Errorf("index %d: private key %s, want %s", tc.index, got, tc.key)
			}
		}
	}
}

// A phrase as a person types it (capitals, extra spaces, a newline) is the
// same phrase.
func TestMnemonicNormalization(t *testing.T) {
	want, err := FromMnemonic(hardhatPhrase, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	messy := "  Test test\ttest TEST test test  test test test test test junk\n"
	got, err := FromMnemonic(messy, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(want) {
		t.Fatal("a messy but equal phrase gave another key")
	}
	// A passphrase is a different wallet; its NFC and NFKD spellings are
	// the same one (BIP-39 hashes the NFKD form).
	p1, _ := FromMnemonic(hardhatPhrase, "caf\u00e9", 0)
	p2, _ := FromMnemonic(hardhatPhrase, "cafe\u0301", 0)
	if p1 == nil || p2 == nil || p1.Equal(want) {
		t.Fatal("a passphrase did not change the key")
	}
	if !p1.Equal(p2) {
		t.Fatal("NFC and NFKD spellings of one passphrase gave different keys")
	}
}

// BIP-39's reference vectors: phrase → seed (passphrase "TREZOR") → BIP-32
// master key, and entropy → phrase for the 24-word ones.
func TestTrezorVectors(t *testing.T) {
	for _, v := range trezorVectors {
		name := strings.Join(strings.Fields(v.phrase)[:2], " ")
		if err := CheckMnemonic(v.phrase); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		seed, err := Seed(v.phrase, "TREZOR")
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(seed); got != v.seed {
			t.Errorf("%s: seed %s, want %s", name, got, v.seed)
		}
		m, err := deriveExtended(seed, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.String(); got != v.xprv {
			t.Errorf("%s: master %s, want %s", name, got, v.xprv)
		}
		entropy, _ := hex.DecodeString(v.entropy)
		if len(entropy) == 32 {
			p, err := NewMnemonic(bytes.NewReader(entropy))
			if err != nil || p != v.phrase {
				t.Errorf("%s: NewMnemonic(entropy) = %q, %v", name, p, err)
			}
		}
	}
}

func TestBIP32Vectors(t *testing.T) {
	for _, v := range bip32Vectors {
		seed, _ := hex.DecodeString(v.seed)
		k, err := deriveExtended(seed, v.path)
		if err != nil {
			t.Fatalf("%s: %v", v.name, err)
		}
		if got := k.String(); got != v.xprv {
			t.Errorf("vector %s: %s, want %s", v.name, got, v.xprv)
		}
		// FromSeed returns that node's private key.
		pk, err := FromSeed(seed, v.path)
		if err != nil {
			t.Fatal(err)
		}
		ec, _ := k.ECPrivKey()
		if !bytes.Equal(crypto.FromECDSA(pk), ec.Serialize()) {
			t.Errorf("vector %s: FromSeed differs from the extended key", v.name)
		}
	}
}

func TestNewMnemonic(t *testing.T) {
	a, err := NewMnemonic(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewMnemonic(rand.Reader)
	if n := len(strings.Fields(a)); n != MnemonicWords {
		t.Fatalf("%d words", n)
	}
	if err := CheckMnemonic(a); err != nil {
		t.Fatalf("fresh phrase refused: %v", err)
	}
	if a == b {
		t.Fatal("two fresh phrases are equal")
	}
	if _, err := NewMnemonic(iotest.ErrReader(errors.New("no entropy"))); err == nil {
		t.Fatal("a failing entropy source gave a phrase")
	}
	if _, err := NewMnemonic(bytes.NewReader(make([]byte, 31))); err == nil {
		t.Fatal("31 bytes of entropy gave a phrase")
	}
}

// Invalid phrases are refused with an error that names the problem (and
// the position of a bad word) but never repeats a word of the phrase.
func TestMnemonicRefusals(t *testing.T) {
	words := strings.Fields(hardhatPhrase)
	with := func(i int, w string) string {
		c := append([]string(nil), words...)
		c[i] = w
		return strings.Join(c, " ")
	}
	for _, tc := range []struct {
		name, phrase string
		want         error
		msg          string
		secret       string // must not appear in the message
	}{
		{"empty", "", ErrMnemonicLength, "got 0", ""},
		{"eleven words", strings.Join(words[:11], " "), ErrMnemonicLength, "got 11", ""},
		{"thirteen words", hardhatPhrase + " test", ErrMnemonicLength, "got 13", ""},
		{"twenty-five words", strings.Repeat("zoo ", 25), ErrMnemonicLength, "got 25", ""},
		{"unknown word", with(4, "qwertyuiop"), ErrUnknownWord, "word 5 of 12", "qwertyuiop"},
		{"misspelt word", with(11, "junkk"), ErrUnknownWord, "word 12 of 12", "junkk"},
		{"bad checksum", with(11, "test"), ErrMnemonicChecksum, "checksum", ""},
		{"swapped words", with(0, "junk"), ErrMnemonicChecksum, "checksum", ""},
		{"too long", strings.Repeat("a", MaxMnemonicBytes+1), ErrMnemonicTooLong, "too long", ""},
	} {
		err := CheckMnemonic(tc.phrase)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %q does not say %q", tc.name, err, tc.msg)
		}
		if tc.secret != "" && strings.Contains(err.Error(), tc.secret) {
			t.Errorf("%s: the error repeats the word: %q", tc.name, err)
		}
		if _, err := FromMnemonic(tc.phrase, "", 0); !errors.Is(err, tc.want) {
			t.Errorf("%s: FromMnemonic: %v", tc.name, err)
		}
	}
	if _, err := FromMnemonic(hardhatPhrase, "", MaxIndex+1); !errors.Is(err, ErrIndex) {
		t.Fatalf("index 2^31: %v", err)
	}
	if _, err := FromMnemonic(hardhatPhrase, "", MaxIndex); err != nil {
		t.Fatalf("index 2^31-1: %v", err)
	}
}

func TestParsePrivateKeyHex(t *testing.T) {
	const k0 = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
	want := common.HexToAddress("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
	for _, tc := range []struct {
		name, in string
		ok       bool
		msg      string
	}{
		{"bare", k0, true, ""},
		{"0x and newline", "0x" + k0 + "\n", true, ""},
		{"0X and spaces", "  0X" + strings.ToUpper(k0) + " \r\n", true, ""},
		{"short", k0[:62], false, "got 62 characters"},
		{"long", k0 + "00", false, "got 66 characters"},
		{"not hex", "zz" + k0[2:], false, "not hex"},
		{"zero", strings.Repeat("0", 64), false, "zero or not below"},
		{"curve order", "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", false, "zero or not below"},
		{"empty", "", false, "got 0 characters"},
	} {
		k, err := ParsePrivateKeyHex([]byte(tc.in))
		if tc.ok {
			if err != nil || crypto.PubkeyToAddress(k.PublicKey) != want {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if !errors.Is(err, ErrPrivateKey) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.msg)
		}
		if len(tc.in) > 8 && strings.Contains(err.Error(), tc.in[2:10]) {
			t.Errorf("%s: the error repeats the input", tc.name)
		}
	}
}

func TestPath(t *testing.T) {
	p := Path(7)
	if len(p) != 5 || p[0] != hardened+44 || p[1] != hardened+60 || p[2] != hardened || p[3] != 0 || p[4] != 7 {
		t.Fatalf("path %v", p)
	}
	if s := PathString(7); s != "m/44'/60'/0'/0/7" {
		t.Fatalf("%s", s)
	}
}

// BenchmarkFromMnemonic: BIP-39 seed (PBKDF2, 2048 rounds of
// HMAC-SHA512) plus five BIP-32 steps, per derived key.
func BenchmarkFromMnemonic(b *testing.B) {
	for b.Loop() {
		if _, err := FromMnemonic(hardhatPhrase, "", 0); err != nil {
			b.Fatal(err)
		}
	}
}
