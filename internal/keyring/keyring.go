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
)

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
	if err := os.MkdirAll(k.Dir, 0o700); err != nil {
		return Entry{}, err
	}
	f, err := os.OpenFile(k.path(name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return Entry{}, fmt.Errorf("%w: %s", ErrExists, k.path(name))
	}
	if err != nil {
		return Entry{}, err
	}
	if _, err := f.Write(blob); err != nil {
		f.Close()
		return Entry{}, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return Entry{}, err
	}
	return Entry{name, addr, k.path(name)}, f.Close()
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
