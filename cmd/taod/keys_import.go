package main

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/taonet/taod/client/keys"
	"github.com/taonet/taod/internal/keyring"
)

// maxKeyFileBytes bounds a private-key file: 64 hex digits, a 0x and some
// whitespace.
const maxKeyFileBytes = 256

type importOpts struct {
	mnemonic                   bool
	mnemonicFile, passphraseFn string
	index                      uint32
	keyFile, keystoreFile      string
	pwFile                     string
}

func newKeysImportCmd(dir *string, lightKDF *bool) *cobra.Command {
	var o importOpts
	cmd := &cobra.Command{
		Use:   "import NAME (--mnemonic | --mnemonic-file F | --private-key-file F | --keystore-file F)",
		Short: "Restore a coldkey from a recovery phrase, a private key or a keystore file",
		Long: `import stores a key under NAME from exactly one source:

  --mnemonic            a BIP-39 recovery phrase, typed at a prompt (hidden) or piped on stdin
  --mnemonic-file F     the phrase from a file
  --private-key-file F  64 hex digits (0x optional), as wallets export a private key
  --keystore-file F     another wallet's keystore v3 JSON, opened with its password

A phrase gives the key of Ethereum account --index (default 0, path m/44'/60'/0'/0/INDEX):
MetaMask's "Account 1" is index 0, "Account 2" index 1. --passphrase-file adds a BIP-39
passphrase (the optional "25th word"). The phrase is used in memory only and never stored.
The new key is encrypted under the password (--password-file or a prompt); a keystore
file's own password is asked for and kept.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runImport(cmd, openKeyring(*dir, *lightKDF), args[0], o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.mnemonic, "mnemonic", false, "read a recovery phrase at a prompt (or the first line of stdin)")
	f.StringVar(&o.mnemonicFile, "mnemonic-file", "", "file holding the recovery phrase")
	f.Uint32Var(&o.index, "index", 0, "account index i of path m/44'/60'/0'/0/i (phrase only)")
	f.StringVar(&o.passphraseFn, "passphrase-file", "", "file holding a BIP-39 passphrase (phrase only; default none)")
	f.StringVar(&o.keyFile, "private-key-file", "", "file holding a hex private key")
	f.StringVar(&o.keystoreFile, "keystore-file", "", "keystore v3 JSON file of another wallet")
	f.StringVar(&o.pwFile, "password-file", "", "file holding the password (else a prompt)")
	return cmd
}

func runImport(cmd *cobra.Command, kr *keyring.Keyring, name string, o importOpts) error {
	sources := 0
	for _, set := range []bool{o.mnemonic, o.mnemonicFile != "", o.keyFile != "", o.keystoreFile != ""} {
		if set {
			sources++
		}
	}
	if sources != 1 {
		return errors.New("give exactly one of --mnemonic, --mnemonic-file, --private-key-file, --keystore-file")
	}
	fromPhrase := o.mnemonic || o.mnemonicFile != ""
	if !fromPhrase && (cmd.Flags().Changed("index") || o.passphraseFn != "") {
		return errors.New("--index and --passphrase-file apply to a recovery phrase only")
	}
	if o.index > keys.MaxIndex {
		return fmt.Errorf("%w, got %d", keys.ErrIndex, o.index)
	}
	if err := checkFreeName(kr, name); err != nil {
		return err
	}
	p := newPrompter(cmd)

	if o.keystoreFile != "" {
		blob, err := readSecretFile(o.keystoreFile, keyring.MaxKeystoreBytes)
		if err != nil {
			return fmt.Errorf("keystore file: %w", err)
		}
		pw, err := p.password(o.pwFile, "Password of the keystore file: ", false)
		if err != nil {
			return err
		}
		e, err := kr.ImportKeystore(name, blob, pw)
		if err != nil {
			return err
		}
		printEntry(cmd, "imported", e, "")
		return nil
	}

	var key *ecdsa.PrivateKey
	path := ""
	if fromPhrase {
		var err error
		if key, err = keyFromPhrase(p, o); err != nil {
			return err
		}
		path = keys.PathString(o.index)
	} else {
		b, err := readSecretFile(o.keyFile, maxKeyFileBytes)
		if err != nil {
			return fmt.Errorf("private key file: %w", err)
		}
		key, err = keys.ParsePrivateKeyHex(b)
		clear(b)
		if err != nil {
			return err
		}
	}
	pw, err := p.password(o.pwFile, "Password for the imported key: ", true)
	if err != nil {
		return err
	}
	e, err := kr.Import(name, key, pw)
	if err != nil {
		return err
	}
	printEntry(cmd, "imported", e, path)
	return nil
}

// keyFromPhrase reads the phrase (file or prompt) and the optional
// passphrase and derives account o.index.
func keyFromPhrase(p *prompter, o importOpts) (*ecdsa.PrivateKey, error) {
	var phrase string
	if o.mnemonicFile != "" {
		b, err := readSecretFile(o.mnemonicFile, keys.MaxMnemonicBytes)
		if err != nil {
			return nil, fmt.Errorf("mnemonic file: %w", err)
		}
		phrase = string(b)
		clear(b)
	} else {
		var err error
		phrase, err = p.secret("Recovery phrase (input hidden): ", keys.MaxMnemonicBytes)
		if err != nil {
			return nil, fmt.Errorf("recovery phrase: %w", err)
		}
	}
	passphrase := ""
	if o.passphraseFn != "" {
		b, err := readSecretFile(o.passphraseFn, maxPasswordBytes)
		if err != nil {
			return nil, fmt.Errorf("passphrase file: %w", err)
		}
		passphrase = strings.TrimRight(string(b), "\r\n")
	}
	return keys.FromMnemonic(phrase, passphrase, o.index)
}

func newKeysExportCmd(dir *string) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "export NAME",
		Short: "Print a coldkey's keystore v3 file (encrypted), or write it with --out",
		Long: `export prints the key's keystore v3 JSON as stored: still encrypted under its password.
Ethereum wallets import it ("import account" → JSON file), and 'taod keys import
--keystore-file' takes it back. --out FILE writes it to a new file (mode 0600; an existing
file is not overwritten).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			e, err := resolveKey(*dir, args[0])
			if err != nil {
				return err
			}
			blob, err := (&keyring.Keyring{Dir: filepath.Dir(e.Path)}).Export(e.Name)
			if err != nil {
				return err
			}
			if out == "" {
				_, err := fmt.Fprintf(cmd.OutOrStdout(), "%s\n", strings.TrimSpace(string(blob)))
				return err
			}
			if err := keyring.WriteNewFile(out, blob); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "exported %s (%s) to %s\n", e.Name, e.Address.Hex(), out)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "write the keystore to this new file instead of stdout")
	return cmd
}
