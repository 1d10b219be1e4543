package golden

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ethereum/go-ethereum/rlp"

	"github.com/taonet/taod/types"
)

// The files of a recording, in testdata/golden/.
const (
	GenesisFile = "genesis.json"
	BlocksFile  = "blocks.rlp"
	ExpectFile  = "expect.txt"
)

// maxFileSize bounds what Load reads: the recording is ours, but a test
// that reads a corrupted multi-gigabyte file should fail, not swap.
const maxFileSize = 8 << 20

// Entry is one recorded height: the block's canonical RLP and the commit
// that finalised it (also the next block's LastCommit), RLP-encoded.
type Entry struct {
	Block  []byte
	Commit []byte
}

// Recording is a golden chain: the genesis JSON, the blocks from height 1
// with their commits, and the expectation lines (expect.txt) derived from
// executing them.
type Recording struct {
	Genesis []byte
	Entries []Entry
	Expect  []string
}

// Write stores the recording's files in dir, replacing them.
func (r *Recording) Write(dir string) error {
	blocks, err := rlp.EncodeToBytes(r.Entries)
	if err != nil {
		return fmt.Errorf("golden: encode blocks: %w", err)
	}
	files := map[string][]byte{
		GenesisFile: r.Genesis,
		BlocksFile:  blocks,
		ExpectFile:  r.expectBytes(),
	}
	for _, name := range []string{GenesisFile, BlocksFile, ExpectFile} {
		if err := os.WriteFile(filepath.Join(dir, name), files[name], 0o644); err != nil {
			return fmt.Errorf("golden: %w", err)
		}
	}
	return nil
}

// Files returns the bytes Write would store, by file name.
func (r *Recording) Files() (map[string][]byte, error) {
	blocks, err := rlp.EncodeToBytes(r.Entries)
	if err != nil {
		return nil, fmt.Errorf("golden: encode blocks: %w", err)
	}
	return map[string][]byte{GenesisFile: r.Genesis, BlocksFile: blocks, ExpectFile: r.expectBytes()}, nil
}

const expectHeader = "# golden chain expectations: one line per height (see README.md). Generated: do not edit.\n"

func (r *Recording) expectBytes() []byte {
	var b bytes.Buffer
	b.WriteString(expectHeader)
	for _, l := range r.Expect {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// Load reads a recording from dir.
func Load(dir string) (*Recording, error) {
	read := func(name string) ([]byte, error) {
		path := filepath.Join(dir, name)
		fi, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("golden: %w", err)
		}
		if fi.Size() > maxFileSize {
			return nil, fmt.Errorf("golden: %s is %d bytes, limit %d", path, fi.Size(), maxFileSize)
		}
		return os.ReadFile(path)
	}
	r := new(Recording)
	var err error
	if r.Genesis, err = read(GenesisFile); err != nil {
		return nil, err
	}
	blocks, err := read(BlocksFile)
	if err != nil {
		return nil, err
	}
	if err := rlp.DecodeBytes(blocks, &r.Entries); err != nil {
		return nil, fmt.Errorf("golden: decode %s: %w", BlocksFile, err)
	}
	expect, err := read(ExpectFile)
	if err != nil {
		return nil, err
	}
	for _, l := range strings.Split(string(expect), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			r.Expect = append(r.Expect, l)
		}
	}
	if len(r.Expect) != len(r.Entries) {
		return nil, fmt.Errorf("golden: %d expectation lines for %d blocks", len(r.Expect), len(r.Entries))
	}
	return r, nil
}

// decodeEntry decodes one recorded height.
func decodeEntry(e Entry) (*types.Block, *types.Commit, error) {
	b, err := types.DecodeBlock(e.Block)
	if err != nil {
		return nil, nil, err
	}
	c := new(types.Commit)
	if err := rlp.DecodeBytes(e.Commit, c); err != nil {
		return nil, nil, fmt.Errorf("golden: decode commit: %w", err)
	}
	if c.Height != b.Height() || c.BlockHash != b.Hash() {
		return nil, nil, errors.New("golden: commit is not for its block")
	}
	return b, c, nil
}

// ExpectLine is the expectation line of one executed height: everything a
// consensus change could move, in a form a diff reads (the first differing
// line is the first height that changed).
func ExpectLine(b *types.Block, receipts []types.Receipt, commit *types.Commit) string {
	rb, err := rlp.EncodeToBytes(receipts)
	if err != nil {
		rb = []byte(err.Error()) // cannot happen: receipts are plain values
	}
	var txs []string
	for i, tx := range b.Txs {
		s := tx.Call().Kind().String()
		if tx.Type() != types.TxTypeNative {
			s = "eth:" + s
		}
		if i < len(receipts) && receipts[i].Status == types.ReceiptSuccess {
			s += ":ok"
		} else {
			s += ":fail"
		}
		txs = append(txs, s)
	}
	h := &b.Header
	return fmt.Sprintf("%d time=%d hash=%s state=%s receipts_root=%s receipts=%s commit=%s sigs=%d ev=%d txs=[%s]",
		h.Height, h.Time, h.Hash().Hex(), h.StateRoot.Hex(), h.ReceiptsRoot.Hex(), types.Keccak256(rb).Hex(),
		commit.Hash().Hex(), len(commit.Signatures), len(b.Evidence), strings.Join(txs, " "))
}
