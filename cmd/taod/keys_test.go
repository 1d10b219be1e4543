package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/taonet/taod/client/keys"
	"github.com/taonet/taod/internal/keyring"
)

const (
	hardhat  = "test test test test test test test test test test test junk"
	hardhat0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266" // index 0
	hardhat1 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" // index 1
	hhKey0   = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
)

// keysCLI runs `taod keys ARGS --keyring dir --light-kdf` in process with
// stdin (not a terminal, so secrets are read line by line).
func keysCLI(t *testing.T, dir, stdin string, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(append(append([]string{"keys"}, args...), "--keyring", dir, "--light-kdf"))
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// addressOf reads the address line of a new/import output.
func addressOf(t *testing.T, out string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^address (0x[0-9a-fA-F]{40})$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no address in:\n%s", out)
	}
	return m[1]
}

// assertNoPhrase fails if any file under dir holds a word run of phrase.
func assertNoPhrase(t *testing.T, dir, phrase string) {
	t.Helper()
	words := strings.Fields(phrase)
	probe := strings.Join(words[len(words)-3:], " ")
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		if strings.Contains(string(b), probe) {
			t.Errorf("%s holds the recovery phrase", p)
		}
		return nil
	})
}

// Every import path gives the key it should: phrases (prompt on stdin, a
// file with messy spacing, an account index, a passphrase), a hex private
// key, another wallet's keystore file.
func TestKeysImportPaths(t *testing.T) {
	files := t.TempDir()
	pw := writeFile(t, files, "pw", "secret\n")
	phraseFile := writeFile(t, files, "phrase", "  "+strings.ToUpper(hardhat[:4])+hardhat[4:]+"\n\n")
	passFile := writeFile(t, files, "pass", "extra words\n")
	keyFile := writeFile(t, files, "key", "0x"+hhKey0+"\n")
	withPass, err := keys.FromMnemonic(hardhat, "extra words", 0)
	if err != nil {
		t.Fatal(err)
	}
	// A keystore written by another wallet (here go-ethereum itself) under
	// its own password.
	k1, _ := keys.FromMnemonic(hardhat, "", 1)
	ks, err := keystore.EncryptKey(&keystore.Key{Address: crypto.PubkeyToAddress(k1.PublicKey), PrivateKey: k1}, "theirs", keystore.LightScryptN, keystore.LightScryptP)
	if err != nil {
		t.Fatal(err)
	}
	ksFile := writeFile(t, files, "ks.json", string(ks))

	for _, tc := range []struct {
		name, stdin string
		args        []string
		want        string
		path        string
		password    string // the stored key opens with it
	}{
		{"phrase on stdin", hardhat + "\nsecret\n", []string{"--mnemonic"}, hardhat0, "m/44'/60'/0'/0/0", "secret"},
		{"phrase on stdin, index 1", hardhat + "\nsecret\n", []string{"--mnemonic", "--index", "1"}, hardhat1, "m/44'/60'/0'/0/1", "secret"},
		{"phrase file, password file", "", []string{"--mnemonic-file", phraseFile, "--password-file", pw}, hardhat0, "m/44'/60'/0'/0/0", "secret"},
		{"phrase and passphrase", "", []string{"--mnemonic-file", phraseFile, "--passphrase-file", passFile, "--password-file", pw}, crypto.PubkeyToAddress(withPass.PublicKey).Hex(), "m/44'/60'/0'/0/0", "secret"},
		{"private key file", "secret\n", []string{"--private-key-file", keyFile}, hardhat0, "", "secret"},
		{"keystore file", "theirs\n", []string{"--keystore-file", ksFile}, hardhat1, "", "theirs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			out, err := keysCLI(t, dir, tc.stdin, append([]string{"import", "k"}, tc.args...)...)
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if got := addressOf(t, out); got != tc.want {
				t.Fatalf("address %s, want %s\n%s", got, tc.want, out)
			}
			if tc.path != "" && !strings.Contains(out, "path    "+tc.path) {
				t.Fatalf("no derivation path in:\n%s", out)
			}
			if strings.Contains(out, "junk") || strings.Contains(out, "secret") {
				t.Fatalf("the output repeats a secret:\n%s", out)
			}
			key, err := keyring.Unlock(filepath.Join(dir, "k.json"), tc.password)
			if err != nil || crypto.PubkeyToAddress(key.PublicKey).Hex() != tc.want {
				t.Fatalf("stored key: %v", err)
			}
			assertNoPhrase(t, dir, hardhat)
		})
	}
}

// Refusals say what is wrong, write nothing, and never echo the phrase.
func TestKeysImportRefusals(t *testing.T) {
	files := t.TempDir()
	dir := t.TempDir()
	if _, err := keysCLI(t, dir, "", "import", "taken", "--private-key-file", writeFile(t, files, "k0", hhKey0), "--password-file", writeFile(t, files, "pw", "pw")); err != nil {
		t.Fatal(err)
	}
	words := strings.Fields(hardhat)
	swapped := strings.Join(append([]string{"junk"}, words[1:]...), " ")
	typo := strings.Replace(hardhat, "junk", "junkk", 1)
	for _, tc := range []struct {
		name, stdin string
		args        []string
		msg         string
	}{
		{"no source", "", []string{"import", "k"}, "exactly one of"},
		{"two sources", hardhat + "\n", []string{"import", "k", "--mnemonic", "--private-key-file", "x"}, "exactly one of"},
		{"index without phrase", "", []string{"import", "k", "--private-key-file", "x", "--index", "2"}, "recovery phrase only"},
		{"index too big", hardhat + "\n", []string{"import", "k", "--mnemonic", "--index", "2147483648"}, "below 2^31"},
		{"bad checksum", swapped + "\npw\n", []string{"import", "k", "--mnemonic"}, "checksum does not match"},
		{"unknown word", typo + "\npw\n", []string{"import", "k", "--mnemonic"}, "word 12 of 12"},
		{"wrong length", strings.Join(words[:11], " ") + "\npw\n", []string{"import", "k", "--mnemonic"}, "12, 15, 18, 21 or 24 words, got 11"},
		{"empty phrase", "\npw\n", []string{"import", "k", "--mnemonic"}, "got 0"},
		{"phrase line too long", strings.Repeat("zoo ", 300) + "\n", []string{"import", "k", "--mnemonic"}, "over 1024 bytes"},
		{"missing phrase file", "", []string{"import", "k", "--mnemonic-file", filepath.Join(files, "nope")}, "mnemonic file"},
		{"bad private key", "pw\n", []string{"import", "k", "--private-key-file", writeFile(t, files, "bad", "0x1234")}, "64 hex digits"},
		{"huge key file", "pw\n", []string{"import", "k", "--private-key-file", writeFile(t, files, "big", strings.Repeat("a", 10000))}, "over 256 bytes"},
		{"keystore wrong password", "nope\n", []string{"import", "k", "--keystore-file", filepath.Join(dir, "taken.json")}, "could not decrypt"},
		{"not a keystore", "pw\n", []string{"import", "k", "--keystore-file", writeFile(t, files, "ks", "{}")}, "not a keystore"},
		{"name taken", hardhat + "\npw\n", []string{"import", "taken", "--mnemonic"}, "already exists"},
		{"bad name", hardhat + "\npw\n", []string{"import", "../evil", "--mnemonic"}, "key names are"},
	} {
		out, err := keysCLI(t, dir, tc.stdin, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v, want %q\n%s", tc.name, err, tc.msg, out)
			continue
		}
		if strings.Contains(out+err.Error(), "junk") {
			t.Errorf("%s: the phrase was echoed: %v\n%s", tc.name, err, out)
		}
	}
	list, _ := (&keyring.Keyring{Dir: dir}).List()
	if len(list) != 1 || list[0].Name != "taken" {
		t.Fatalf("a refused import wrote a key: %+v", list)
	}
}

// `keys new` shows 24 words once; importing them gives the same address;
// the phrase is stored nowhere. --no-mnemonic shows none.
func TestKeysNewMnemonicRoundTrip(t *testing.T) {
	dir := t.TempDir()
	out, err := keysCLI(t, dir, "pw\n", "new", "alice")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	addr := addressOf(t, out)
	grid := out[strings.Index(out, "nowhere):"):strings.Index(out, "Write it down")]
	m := regexp.MustCompile(`\d+ ([a-z]+)`).FindAllStringSubmatch(grid, -1)
	var words []string
	for _, w := range m {
		words = append(words, w[1])
	}
	if len(words) != keys.MnemonicWords {
		t.Fatalf("%d words shown:\n%s", len(words), out)
	}
	phrase := strings.Join(words, " ")
	assertNoPhrase(t, dir, phrase)
	out2, err := keysCLI(t, dir, phrase+"\npw2\n", "import", "restored", "--mnemonic")
	if err != nil {
		t.Fatalf("%v\n%s", err, out2)
	}
	if got := addressOf(t, out2); got != addr {
		t.Fatalf("restored %s, created %s", got, addr)
	}
	if _, err := keysCLI(t, dir, "pw\n", "new", "alice"); !errors.Is(err, keyring.ErrExists) {
		t.Fatalf("new over an existing name: %v", err)
	}

	out3, err := keysCLI(t, dir, "pw\n", "new", "plain", "--no-mnemonic")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out3, "Recovery phrase") || addressOf(t, out3) == addr {
		t.Fatalf("--no-mnemonic:\n%s", out3)
	}
}

// Export prints the stored keystore; --out writes it once; the file
// imports back (here and in any wallet) to the same key.
func TestKeysExportImportRoundTrip(t *testing.T) {
	dir, other := t.TempDir(), t.TempDir()
	if _, err := keysCLI(t, dir, hardhat+"\npw\n", "import", "hh", "--mnemonic"); err != nil {
		t.Fatal(err)
	}
	out, err := keysCLI(t, dir, "", "export", "hh")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Address string `json:"address"`
		Crypto  any    `json:"crypto"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil || !strings.EqualFold("0x"+v.Address, hardhat0) || v.Crypto == nil {
		t.Fatalf("export is not the keystore: %v\n%s", err, out)
	}
	if strings.Contains(strings.ToLower(out), hhKey0) {
		t.Fatal("export printed the private key")
	}
	file := filepath.Join(t.TempDir(), "hh.json")
	if _, err := keysCLI(t, dir, "", "export", "hh", "--out", file); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("exported file: %v %v", st, err)
	}
	if _, err := keysCLI(t, dir, "", "export", "hh", "--out", file); !errors.Is(err, os.ErrExist) {
		t.Fatalf("export over an existing file: %v", err)
	}
	if _, err := keysCLI(t, dir, "", "export", "nobody"); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("export of a missing key: %v", err)
	}
	out, err = keysCLI(t, other, "pw\n", "import", "back", "--keystore-file", file)
	if err != nil || addressOf(t, out) != hardhat0 {
		t.Fatalf("import of the export: %v\n%s", err, out)
	}
	a, _ := keyring.Unlock(filepath.Join(dir, "hh.json"), "pw")
	b, err := keyring.Unlock(filepath.Join(other, "back.json"), "pw")
	if err != nil || !a.Equal(b) {
		t.Fatalf("round trip changed the key: %v", err)
	}
}
