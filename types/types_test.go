package types

import (
	"bytes"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
)

func signedTransfer(t testing.TB, nonce, amount uint64) (*Tx, Address) {
	t.Helper()
	k, _ := crypto.ToECDSA(bytes.Repeat([]byte{7}, 32))
	tx, err := SignTx(TxData{ChainID: 42, Nonce: nonce, Fee: 21000, Tip: 3, Call: &Transfer{To: Address{1, 2, 3}, Amount: amount}}, k)
	if err != nil {
		t.Fatal(err)
	}
	return tx, crypto.PubkeyToAddress(k.PublicKey)
}

func TestTxRoundTripAndSender(t *testing.T) {
	tx, from := signedTransfer(t, 5, 1_500_000_000)
	got, err := DecodeTx(tx.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if got.Hash() != tx.Hash() || got.Hash() != Keccak256(tx.Bytes()) {
		t.Fatalf("hash mismatch")
	}
	sender, err := got.Sender()
	if err != nil || sender != from {
		t.Fatalf("sender = %s, %v; want %s", sender, err, from)
	}
	if got.Nonce() != 5 || got.Fee() != 21000 || got.Tip() != 3 || got.ChainID() != 42 {
		t.Fatalf("fields: %+v", got.Data())
	}
	tr, ok := got.Call().(*Transfer)
	if !ok || tr.Amount != 1_500_000_000 || tr.To != (Address{1, 2, 3}) {
		t.Fatalf("call: %#v", got.Call())
	}
}

func TestDecodeTxRejects(t *testing.T) {
	tx, _ := signedTransfer(t, 1, 10)
	raw := tx.Bytes()

	// A tampered amount changes the recovered sender, never the claimed one.
	w := decodeWire(t, raw)
	w.Fee++
	tampered := encodeWire(t, w)
	ttx, err := DecodeTx(tampered)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := ttx.Sender(); s == mustSender(t, tx) {
		t.Fatal("tampered tx recovered the original sender")
	}

	high := decodeWire(t, raw)
	high.S = new(big.Int).Sub(secp256k1N, high.S)
	high.V ^= 1

	badV := decodeWire(t, raw)
	badV.V = 2

	cases := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrEmptyTx},
		{"eth legacy malformed", []byte{0xc0}, nil},
		{"eip1559 malformed", []byte{0x02, 0xc0}, nil},
		{"blob tx", []byte{0x03, 0xc0}, ErrUnsupportedTxType},
		{"rlp string", []byte{0x80}, ErrUnsupportedTxType},
		{"oversized", append([]byte{TxTypeNative}, make([]byte, MaxTxSize)...), ErrTxTooLarge},
		{"high S", encodeWire(t, high), ErrHighS},
		{"bad v", encodeWire(t, badV), ErrBadSignature},
		{"trailing bytes", append(bytes.Clone(raw), 0x00), nil},
		{"truncated", raw[:len(raw)-3], nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodeTx(c.in)
			if err == nil {
				t.Fatal("accepted")
			}
			if c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

func TestZeroTransferRefused(t *testing.T) {
	k, _ := crypto.ToECDSA(bytes.Repeat([]byte{9}, 32))
	if _, err := SignTx(TxData{ChainID: 1, Call: &Transfer{Amount: 0}}, k); !errors.Is(err, ErrZeroAmount) {
		t.Fatalf("err = %v", err)
	}
}

func mustSender(t *testing.T, tx *Tx) Address {
	s, err := tx.Sender()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func decodeWire(t *testing.T, raw []byte) wireTx {
	var w wireTx
	if err := rlp.DecodeBytes(raw[1:], &w); err != nil {
		t.Fatal(err)
	}
	return w
}

func encodeWire(t *testing.T, w wireTx) []byte {
	b, err := rlp.EncodeToBytes(&w)
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte{TxTypeNative}, b...)
}

func TestBlockRoundTrip(t *testing.T) {
	tx1, _ := signedTransfer(t, 0, 1)
	tx2, _ := signedTransfer(t, 1, 2)
	k, _ := crypto.ToECDSA(bytes.Repeat([]byte{3}, 32))
	vote := Vote{Type: Precommit, Height: 9, Round: 1, BlockHash: Hash{9}}
	if err := vote.Sign(42, k); err != nil {
		t.Fatal(err)
	}
	commit := &Commit{Height: 9, Round: 1, BlockHash: Hash{9}, Signatures: []CommitSig{{vote.Validator, vote.Signature}}}
	txs := []*Tx{tx1, tx2}
	h := Header{ChainID: 42, Height: 10, Time: 1234, ParentHash: Hash{9}, TxRoot: TxRoot(txs), LastCommitHash: commit.Hash(), EvidenceHash: EvidenceHash(nil)}
	b := NewBlock(h, txs, commit, nil)
	if err := b.CheckBody(); err != nil {
		t.Fatal(err)
	}
	enc, err := b.Encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeBlock(enc)
	if err != nil {
		t.Fatal(err)
	}
	if got.Hash() != b.Hash() || len(got.Txs) != 2 || got.Txs[1].Hash() != tx2.Hash() {
		t.Fatal("round trip changed the block")
	}
	cv := got.LastCommit.Vote(0)
	if err := cv.Verify(42); err != nil {
		t.Fatalf("commit vote: %v", err)
	}
	if err := cv.Verify(43); !errors.Is(err, ErrVoteSignature) {
		t.Fatalf("vote verified under another chain ID: %v", err)
	}
	// A header that lies about its transactions is caught.
	bad := NewBlock(h, txs[:1], commit, nil)
	if err := bad.CheckBody(); !errors.Is(err, ErrBadHeader) {
		t.Fatalf("CheckBody = %v", err)
	}
}

func TestParseTAO(t *testing.T) {
	cases := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"1.5", 1_500_000_000, true},
		{"0.000000001", 1, true},
		{".5", 500_000_000, true},
		{"21000000", 21_000_000 * RaoPerTAO, true},
		{"0", 0, true},
		{"1.0000000001", 0, false},
		{"-1", 0, false},
		{"1e9", 0, false},
		{"", 0, false},
		{"18446744073.709551616", 0, false},
		{"18446744073.709551615", 18446744073709551615, true},
	}
	for _, c := range cases {
		got, err := ParseTAO(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseTAO(%q) = %d, %v", c.in, got, err)
		}
		if c.ok {
			back, err := ParseTAO(FormatTAO(got))
			if err != nil || back != got {
				t.Errorf("FormatTAO round trip of %d: %q", got, FormatTAO(got))
			}
		}
	}
}

func TestParseAddress(t *testing.T) {
	good := "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
	if _, err := ParseAddress(good); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseAddress("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"); err != nil {
		t.Fatal("lower case must be accepted:", err)
	}
	for _, bad := range []string{"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0x1234", "0xzz"} {
		if _, err := ParseAddress(bad); !errors.Is(err, ErrBadAddress) {
			t.Errorf("ParseAddress(%q) = %v", bad, err)
		}
	}
}

func FuzzDecodeTx(f *testing.F) {
	tx, _ := signedTransfer(f, 3, 99)
	f.Add(tx.Bytes())
	f.Add([]byte{TxTypeNative, 0xc0})
	for _, etx := range ethSeeds(f) {
		f.Add(etx)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tx, err := DecodeTx(b)
		if err != nil {
			return
		}
		if !bytes.Equal(tx.Bytes(), b) || tx.Hash() != Keccak256(b) {
			t.Fatal("decoded tx does not re-encode to its input")
		}
		if etx := tx.EthTx(); etx != nil {
			// An Ethereum tx keeps go-ethereum's hash and maps to a transfer
			// whose fee and tip add up to what it signed for.
			if etx.Hash() != tx.Hash() {
				t.Fatal("hash differs from go-ethereum's")
			}
			if _, ok := tx.Call().(*Transfer); !ok || tx.Fee()+tx.Tip() < tx.Fee() {
				t.Fatalf("mapping: %+v", tx.Data())
			}
		}
		again, err := DecodeTx(tx.Bytes())
		if err != nil || again.Hash() != tx.Hash() {
			t.Fatal("re-decode failed")
		}
		if tx.EthTx() == nil {
			// Recovery hashes the signed payload in place (signingHashOfRaw).
			want, err := SigningHash(tx.Data())
			if got, ok := signingHashOfRaw(tx.Bytes()); err != nil || !ok || got != want {
				t.Fatalf("signing hash read off the encoding %x (ok %v), encoded again %x (%v)", got, ok, want, err)
			}
		}
		_, _ = tx.Sender()
	})
}

// The signing hash read off a tx's encoding equals the one encoded from its
// data, for payloads around the RLP list-header boundaries (55/56 bytes,
// 256, 64 KiB) and for calls of every size up to MaxTxSize.
func TestSigningHashOfRaw(t *testing.T) {
	key, _ := crypto.GenerateKey()
	for _, n := range []int{0, 1, 20, 30, 40, 50, 55, 56, 60, 200, 255, 256, 1000, 40_000, 65_535, 65_536, 200_000} {
		d := TxData{ChainID: 7, Nonce: uint64(n), Fee: 1 << 40, Tip: uint64(n) * 3, Call: &Transfer{To: Address{byte(n)}, Amount: uint64(n) + 1}}
		if n > 100 {
			title := strings.Repeat("t", min(n/2, MaxTitleLen))
			d.Call = &Propose{ProposalKind: ProposalText, Title: title, Description: strings.Repeat("d", min(n, MaxDescriptionLen)), Deposit: 1}
		}
		tx, err := SignTx(d, key)
		if err != nil {
			t.Fatal(err)
		}
		want, err := SigningHash(d)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := signingHashOfRaw(tx.Bytes())
		if !ok || got != want {
			t.Fatalf("n=%d (tx %d bytes): read off the encoding %x (ok %v), encoded again %x", n, tx.Size(), got, ok, want)
		}
	}
	for _, bad := range [][]byte{nil, {TxTypeNative}, {TxTypeNative, 0xc0}, {TxTypeNative, 0xc2, 0x01, 0x02}, {0x02, 0xc0}} {
		if _, ok := signingHashOfRaw(bad); ok {
			t.Fatalf("%x: read a signing hash off a malformed envelope", bad)
		}
	}
}

func FuzzDecodeBlock(f *testing.F) {
	tx, _ := signedTransfer(f, 3, 99)
	h := Header{Height: 1, TxRoot: TxRoot([]*Tx{tx})}
	enc, _ := NewBlock(h, []*Tx{tx}, &Commit{}, nil).Encode()
	f.Add(enc)
	f.Fuzz(func(t *testing.T, b []byte) {
		blk, err := DecodeBlock(b)
		if err != nil {
			return
		}
		again, err := blk.Encode()
		if err != nil || !bytes.Equal(again, b) {
			t.Fatal("decoded block does not re-encode to its input")
		}
	})
}

func BenchmarkDecodeAndRecover(b *testing.B) {
	tx, _ := signedTransfer(b, 3, 99)
	raw := tx.Bytes()
	b.ReportAllocs()
	for b.Loop() {
		tx, err := DecodeTx(raw)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tx.Sender(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
}

// TestSizeBounds encodes the widest header, commit signature, vote and
// commit and holds each within the bound p2p limits are derived from
// (MaxEncodedBlockSize): a bound below a real encoding would let a valid
// block outgrow the limits.
func TestSizeBounds(t *testing.T) {
	full := Hash{}
	for i := range full {
		full[i] = 0xff
	}
	addr := Address(full[:20])
	sig := bytes.Repeat([]byte{0xff}, 65)
	h := Header{^uint64(0), ^uint64(0), ^uint64(0), full, addr, full, full, full, full, full, full, full}
	if b, _ := rlp.EncodeToBytes(&h); len(b) > MaxHeaderSize {
		t.Fatalf("header %d bytes, bound %d", len(b), MaxHeaderSize)
	}
	if b, _ := rlp.EncodeToBytes(&CommitSig{addr, sig}); len(b) > MaxCommitSigSize {
		t.Fatalf("commit sig %d bytes, bound %d", len(b), MaxCommitSigSize)
	}
	if b, _ := rlp.EncodeToBytes(&Vote{Precommit, ^uint64(0), ^uint32(0), full, addr, sig}); len(b) > MaxVoteSize {
		t.Fatalf("vote %d bytes, bound %d", len(b), MaxVoteSize)
	}
	c := Commit{^uint64(0), ^uint32(0), full, make([]CommitSig, 300)}
	for i := range c.Signatures {
		c.Signatures[i] = CommitSig{addr, sig}
	}
	if b, _ := rlp.EncodeToBytes(&c); len(b) > MaxCommitSize(len(c.Signatures)) {
		t.Fatalf("commit %d bytes, bound %d", len(b), MaxCommitSize(len(c.Signatures)))
	}
	// A block of maximal txs: each counted as its envelope plus framing.
	key, _ := crypto.GenerateKey()
	var txs []*Tx
	counted := 0
	for i := range 40 {
		tx, err := SignTx(TxData{ChainID: ^uint64(0), Nonce: uint64(i), Fee: ^uint64(0) >> 1, Call: &Propose{ProposalKind: ProposalParamChange, Title: "t", Changes: []ParamChange{{Key: "k", Value: string(bytes.Repeat([]byte{'x'}, MaxTxSize-300))}}}}, key)
		if err != nil {
			t.Fatal(err)
		}
		txs = append(txs, tx)
		counted += tx.Size() + TxFramingBytes
	}
	b, err := NewBlock(h, txs, &c, nil).Encode()
	if err != nil {
		t.Fatal(err)
	}
	if bound := MaxEncodedBlockSize(counted, len(c.Signatures)); len(b) > bound {
		t.Fatalf("block %d bytes, bound %d", len(b), bound)
	}
}
