package keyring

import (
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/google/uuid"

	"github.com/taonet/taod/types"
)

var (
	ErrExists   = errors.New("keyring: a key with this name already exists")
	ErrNotFound = errors.New("keyring: no such key")
	ErrBadName  = errors.New("keyring: key names are 1-64 letters, digits, '-' or '_'")
	// ErrNotKeystore is input that is not a keystore v3 file.
	ErrNotKeystore = errors.New("keyring: not a keystore v3 file")
)

// MaxKeystoreBytes bounds a keystore file read from outside: a v3 file is
// about 500 bytes.
const MaxKeystoreBytes = 64 << 10

var nameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// Keyring is a directory of keystore files.
type Keyring struct {
	Dir string
	// ScryptN and ScryptP set the encryption cost; zero means go-ethereum's
	// standard (strong, ~1 s). Dev keys use the light setting.
	ScryptN, ScryptP int
}

// Entry is a key's name, address and file.
type Entry struct {
	Name    string        `json:"name"`
	Address types.Address `json:"address"`
	Path    string        `json:"path"`
}

func (k *Keyring) path(name string) string { return filepath.Join(k.Dir, name+".json") }

// Create stores a new random key under name.
func (k *Keyring) Create(name, password string) (Entry, error) {
	key, err := crypto.GenerateKey()
	if err != nil {
		return Entry{}, err
	}
	return k.Import(name, key, password)
}

// Import stores key under name, refusing to overwrite.
func (k *Keyring) Import(name string, key *ecdsa.PrivateKey, password string) (Entry, error) {
	if !nameRE.MatchString(name) {
		return Entry{}, fmt.Errorf("%w: %q", ErrBadName, name)
	}
	n, p := k.ScryptN, k.ScryptP
	if n == 0 {
		n, p = keystore.StandardScryptN, keystore.StandardScryptP
	}
	addr := crypto.PubkeyToAddress(key.PublicKey)
	blob, err := keystore.EncryptKey(&keystore.Key{Id: uuid.New(), Address: addr, PrivateKey: key}, password, n, p)
	if err != nil {
		return Entry{}, err
	}
	if err := k.write(name, blob); err != nil {
		return Entry{}, err
	}
	return Entry{name, addr, k.path(name)}, nil
}

// ImportKeystore stores the key of a keystore v3 file (this keyring's or
// another wallet's, e.g. MetaMask's JSON export) under name. The file must
// open with password; the key is encrypted again with this keyring's
// scrypt setting under the same password, so the stored file's address
// always matches its key.
func (k *Keyring) ImportKeystore(name string, blob []byte, password string) (Entry, error) {
	if len(blob) > MaxKeystoreBytes {
		return Entry{}, fmt.Errorf("%w: %d bytes, at most %d", ErrNotKeystore, len(blob), MaxKeystoreBytes)
	}
	if err := checkKDF(blob); err != nil {
		return Entry{}, err
	}
	if !nameRE.MatchString(name) {
		return Entry{}, fmt.Errorf("%w: %q", ErrBadName, name)
	}
	if _, err := k.Get(name); err == nil {
		return Entry{}, fmt.Errorf("%w: %s", ErrExists, k.path(name))
	}
	key, err := keystore.DecryptKey(blob, password)
	if err != nil {
		return Entry{}, fmt.Errorf("keyring: open keystore: %w", err)
	}
	return k.Import(name, key.PrivateKey, password)
}

// Bounds on the work a keystore file from outside may ask of the KDF:
// go-ethereum's standard scrypt is N=2^18, r=8, p=1 (256 MiB, ~1 s);
// these allow four times that memory and no more, so a hostile file cannot
// make an import allocate gigabytes or spin for minutes.
const (
	maxScryptN    = 1 << 20
	maxScryptR    = 8
	maxScryptP    = 16
	maxPBKDF2Iter = 10_000_000
)

// checkKDF refuses a keystore whose KDF parameters exceed the bounds above,
// before any decryption runs.
func checkKDF(blob []byte) error {
	var v struct {
		Crypto *struct {
			KDF       string `json:"kdf"`
			KDFParams struct {
				N int64 `json:"n"`
				R int64 `json:"r"`
				P int64 `json:"p"`
				C int64 `json:"c"`
			} `json:"kdfparams"`
		} `json:"crypto"`
	}
	if err := json.Unmarshal(blob, &v); err != nil {
		return fmt.Errorf("%w: %v", ErrNotKeystore, err)
	}
	if v.Crypto == nil {
		return fmt.Errorf("%w: no crypto section", ErrNotKeystore)
	}
	kp := v.Crypto.KDFParams
	switch v.Crypto.KDF {
	case "scrypt":
		if kp.N <= 1 || kp.N > maxScryptN || kp.R < 1 || kp.R > maxScryptR || kp.P < 1 || kp.P > maxScryptP {
			return fmt.Errorf("%w: scrypt parameters n=%d r=%d p=%d outside n<=%d r<=%d p<=%d", ErrNotKeystore, kp.N, kp.R, kp.P, maxScryptN, maxScryptR, maxScryptP)
		}
	case "pbkdf2":
		if kp.C < 1 || kp.C > maxPBKDF2Iter {
			return fmt.Errorf("%w: pbkdf2 iteration count %d outside 1..%d", ErrNotKeystore, kp.C, maxPBKDF2Iter)
		}
	default:
		return fmt.Errorf("%w: unknown kdf %q", ErrNotKeystore, v.Crypto.KDF)
	}
	return nil
}

// Export returns the keystore v3 file of name as stored: encrypted, the
// format Ethereum wallets import ("import account → JSON file").
func (k *Keyring) Export(name string) ([]byte, error) {
	if !nameRE.MatchString(name) {
		return nil, fmt.Errorf("%w: %q", ErrBadName, name)
	}
	if _, err := k.Get(name); err != nil {
		return nil, err
	}
	return os.ReadFile(k.path(name))
}

// write creates name's file with blob, refusing to overwrite, and syncs it.
func (k *Keyring) write(name string, blob []byte) error {
	if err := os.MkdirAll(k.Dir, 0o700); err != nil {
		return err
	}
	err := WriteNewFile(k.path(name), blob)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%w: %s", ErrExists, k.path(name))
	}
	return err
}

// WriteNewFile creates path with mode 0600 and writes b, refusing to
// overwrite an existing file (an error matching os.ErrExist), and syncs it:
// a key file is never half-written nor silently replaced.
func WriteNewFile(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// List returns the keys, sorted by name.
func (k *Keyring) List() ([]Entry, error) {
	files, err := filepath.Glob(filepath.Join(k.Dir, "*.json"))
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, f := range files {
		e, err := readEntry(f)
		if err != nil {
			continue // not a keystore file
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Get returns a key's entry without decrypting it.
func (k *Keyring) Get(name string) (Entry, error) {
	e, err := readEntry(k.path(name))
	if errors.Is(err, os.ErrNotExist) {
		return Entry{}, fmt.Errorf("%w: %q in %s", ErrNotFound, name, k.Dir)
	}
	return e, err
}

func readEntry(path string) (Entry, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Entry{}, err
	}
	var v struct {
		Address string `json:"address"`
	}
	if err := json.Unmarshal(b, &v); err != nil || v.Address == "" {
		return Entry{}, fmt.Errorf("keyring: %s is not a keystore file", path)
	}
	a, err := types.ParseAddress("0x" + strings.TrimPrefix(v.Address, "0x"))
	if err != nil {
		return Entry{}, err
	}
	return Entry{strings.TrimSuffix(filepath.Base(path), ".json"), a, path}, nil
}

// Unlock decrypts a keystore file.
func Unlock(path, password string) (*ecdsa.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key, err := keystore.DecryptKey(b, password)
	if err != nil {
		return nil, fmt.Errorf("keyring: unlock %s: %w", path, err)
	}
	return key.PrivateKey, nil
}
