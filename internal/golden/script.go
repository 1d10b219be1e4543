package golden

import (
	"errors"
	"fmt"
	"math/big"

	ethtypes "github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/taonet/taod/chain"
	"github.com/taonet/taod/internal/devkeys"
	"github.com/taonet/taod/subnet"
	"github.com/taonet/taod/types"
)

const tao = types.RaoPerTAO

// The cast, by dev key index. Coldkeys 0..7 are funded at genesis.
var (
	bootKeys = []int{90, 91}         // bootstrap validators' consensus keys
	consKeys = []int{20, 21, 22, 23} // staked validators' consensus keys, bound to hotkeys 10..13
)

const (
	fundedColdkeys = 8
	genesisBalance = 1_000 * tao
	minerCold      = 50 // unfunded: owns the PoW miners, earns only emission
	ethSender      = 6
	ethRecipient   = 60
	slashedVal     = 2 // validator index double-signing (hotkey 12, consensus key 22)
	downVal        = 3 // validator index going offline (hotkey 13, consensus key 23)
	govProposer    = 5
	textProposer   = 6
	takeTarget     = 200_000 // above the genesis max_take, below the governed one
)

// hot is validator i's hotkey (dev key 10+i).
func hot(i int) types.Address { return devkeys.Address(10 + i) }

// miner is the hotkey dev key of subnet miner j.
func miner(j int) int { return 40 + j }

// MinerColdkey is the coldkey of every PoW miner: unfunded at genesis, so a
// transfer from it proves an epoch paid its miners and an unbonding ended.
func MinerColdkey() types.Address { return devkeys.Address(minerCold) }

// goldenGenesis is the test preset (200 ms blocks, tempo 10, consensus
// epoch 10, short unbonding, jail and voting periods) with two bootstrap
// validators and eight funded coldkeys.
func goldenGenesis() (*chain.Genesis, error) {
	var boot []types.Address
	for _, i := range bootKeys {
		boot = append(boot, devkeys.Address(i))
	}
	return chain.Preset("test", GenesisTime, boot, devkeys.Addresses(fundedColdkeys), genesisBalance)
}

// script is the golden chain: every call kind, an Ethereum-signed transfer,
// a handover from bootstrap to staked validators, double-sign evidence,
// downtime, epochs paying out, a governance parameter change taking
// effect, and an unbonding completing. Appending steps at the end keeps
// the earlier heights of the recording unchanged.
func script(x *gen) {
	p := x.c.Params()
	tempo := p.Subnets.Defaults.Tempo

	// Transfers: native, then Ethereum-signed (legacy and EIP-1559) to a
	// fresh account; hotkeys 10..12 get a little for paid weights calls.
	x.ok(x.call(0, &types.Transfer{To: devkeys.Address(7), Amount: 5 * tao}),
		x.ethTransfer(ethSender, devkeys.Address(ethRecipient), 2*tao, false),
		x.ethTransfer(ethSender, devkeys.Address(ethRecipient), tao, true),
		x.call(0, &types.Transfer{To: hot(0), Amount: tao}),
		x.call(0, &types.Transfer{To: hot(1), Amount: tao}),
		x.call(0, &types.Transfer{To: hot(2), Amount: tao}))

	// Four validators: consensus keys bound, self-stake, one nominator.
	x.ok(x.bind(1, 0), x.bind(2, 1), x.bind(3, slashedVal), x.bind(4, downVal))
	x.ok(x.call(1, &types.AddStake{Hotkey: hot(0), Amount: 40 * tao}),
		x.call(2, &types.AddStake{Hotkey: hot(1), Amount: 40 * tao}),
		x.call(3, &types.AddStake{Hotkey: hot(slashedVal), Amount: 10 * tao}),
		x.call(4, &types.AddStake{Hotkey: hot(downVal), Amount: 10 * tao}),
		x.call(5, &types.AddStake{Hotkey: hot(0), Amount: 10 * tao}))
	x.ok(x.call(1, &types.SetTake{Hotkey: hot(0), Take: 100_000}))

	// Two subnets: 1 with plain weights, 2 with commit-reveal. Validators by
	// burn, miners by proof of work (fee-free, from empty hotkeys).
	x.ok(x.call(1, &types.RegisterNetwork{Name: "alpha"}), x.call(2, &types.RegisterNetwork{Name: "beta"}))
	x.ok(x.call(2, &types.SetHyperparam{Netuid: 2, Name: "commit_reveal", Value: 1}),
		x.call(1, &types.BurnedRegister{Netuid: 1, Hotkey: hot(0)}),
		x.call(2, &types.BurnedRegister{Netuid: 1, Hotkey: hot(1)}),
		x.call(2, &types.BurnedRegister{Netuid: 2, Hotkey: hot(1)}),
		x.call(3, &types.BurnedRegister{Netuid: 2, Hotkey: hot(slashedVal)}))
	x.ok(x.pow(1, miner(0)), x.pow(1, miner(1)), x.pow(1, miner(2)), x.pow(1, miner(3)))
	x.ok(x.pow(2, miner(4)),
		x.free(miner(0), &types.ServeAxon{Netuid: 1, IP: []byte{10, 0, 0, 40}, Port: 8091}))

	// Root network: validator 0 joins and weights both subnets.
	x.ok(x.call(1, &types.RootRegister{Hotkey: hot(0)}))
	x.ok(x.maybeFree(10, &types.SetRootWeights{Netuids: []uint16{1, 2}, Weights: []uint16{3, 1}}))

	// Epochs: subnet 1's validators weight its miners (UIDs 2..5), subnet
	// 2's commit and reveal weights for its miner (UID 2).
	uids, ws := []uint16{2, 3, 4, 5}, []uint16{40_000, 30_000, 20_000, 10_000}
	salt := []byte("golden")
	for epoch := 0; epoch < 3 && x.err == nil; epoch++ {
		x.until(x.nextMultiple(tempo, 1))
		x.ok(x.maybeFree(10, &types.SetWeights{Netuid: 1, UIDs: uids, Weights: ws}),
			x.maybeFree(11, &types.SetWeights{Netuid: 1, UIDs: uids[:2], Weights: ws[:2]}))
		crU, crW := []uint16{2}, []uint16{65_535}
		x.ok(x.maybeFree(11, &types.CommitWeights{Netuid: 2, Hash: types.WeightsCommitHash(hot(1), 2, crU, crW, salt, 0)}),
			x.maybeFree(12, &types.CommitWeights{Netuid: 2, Hash: types.WeightsCommitHash(hot(2), 2, crU, crW, salt, 0)}))
		x.until(x.height() + p.Subnets.Defaults.RevealDelay - 1)
		x.ok(x.maybeFree(11, &types.RevealWeights{Netuid: 2, UIDs: crU, Weights: crW, Salt: salt}),
			x.maybeFree(12, &types.RevealWeights{Netuid: 2, UIDs: crU, Weights: crW, Salt: salt}))
	}

	// The miners' coldkey unstakes half of what miner 0 earned (the fee comes
	// out of the amount: it has no balance).
	x.until(x.nextMultiple(tempo, 1))
	earned := x.q.stake(MinerColdkey(), devkeys.Address(miner(0)))
	if earned < 2*p.Staking.MinStake && x.err == nil {
		x.fail(fmt.Errorf("miner 0 earned %d rao in three epochs", earned))
	}
	x.ok(x.call(minerCold, &types.RemoveStake{Hotkey: devkeys.Address(miner(0)), Amount: earned / 2}))
	release := x.height() + p.Staking.UnbondingPeriod

	// Double-sign evidence against validator 2, once the staked set governs.
	x.until(x.nextMultiple(p.Staking.ConsensusEpoch, 0) + 2)
	ev := x.doubleSign(consKeys[slashedVal], x.height())
	x.block([]types.Evidence{ev})
	if !x.q.jailed(hot(slashedVal)) && x.err == nil {
		x.fail(errors.New("double signer not jailed"))
	}
	jailedAt := x.height()

	// Governance: raise max_take; a take above the old maximum fails before
	// the change and succeeds after it. A text proposal is cancelled.
	x.fails("take above the maximum", x.call(1, &types.SetTake{Hotkey: hot(0), Take: takeTarget}))
	x.ok(x.call(govProposer, &types.Propose{ProposalKind: types.ProposalParamChange, Title: "raise max take",
		Changes: []types.ParamChange{{Key: "staking.max_take_ppm", Value: "250000"}}, Deposit: 2 * tao}),
		x.call(textProposer, &types.Propose{ProposalKind: types.ProposalText, Title: "signal", Deposit: 2 * tao}))
	x.ok(x.call(1, &types.GovVote{ProposalID: 1, Option: types.VoteYes}),
		x.call(2, &types.GovVote{ProposalID: 1, Option: types.VoteYes}),
		x.call(4, &types.GovVote{ProposalID: 1, Option: types.VoteYes}),
		x.call(3, &types.GovVote{ProposalID: 1, Option: types.VoteNo}),
		x.call(textProposer, &types.CancelProposal{ProposalID: 2}))

	// The double signer serves its jail and returns.
	x.until(jailedAt + p.Staking.JailPeriod)
	x.ok(x.call(3, &types.Unjail{Hotkey: hot(slashedVal)}))

	x.until(x.height() + p.Gov.VotingPeriod)
	x.ok(x.call(1, &types.SetTake{Hotkey: hot(0), Take: takeTarget}))

	// Downtime: validator 3 stops signing until it is jailed.
	down := devkeys.Address(consKeys[downVal])
	x.skip[down] = true
	for i := uint64(0); i <= p.Staking.DowntimeWindow && x.err == nil && !x.q.jailed(hot(downVal)); i++ {
		x.block(nil)
	}
	delete(x.skip, down)
	if !x.q.jailed(hot(downVal)) && x.err == nil {
		x.fail(errors.New("offline validator not jailed"))
	}
	x.until(x.height() + p.Staking.JailPeriod)
	x.ok(x.call(4, &types.Unjail{Hotkey: hot(downVal)}))

	// The miners' unbonding has ended: the coldkey spends it.
	x.until(release)
	if bal := x.q.balance(MinerColdkey()); x.err == nil {
		x.ok(x.call(minerCold, &types.Transfer{To: devkeys.Address(0), Amount: bal / 2}))
	}

	// A last consensus epoch, so the returning validators are in the set.
	x.until(x.nextMultiple(p.Staking.ConsensusEpoch, 0) + 2)

	hotkeySwapScript(x) // issue 16: script_hotkeyswap.go
	coldkeySwapScript(x)
}

// bind binds consensus key consKeys[i] to hotkey 10+i, owned by coldkey cold.
func (x *gen) bind(cold, i int) *types.Tx {
	if x.err != nil {
		return nil
	}
	b, err := types.SignBind(x.c.ChainID(), devkeys.Address(cold), devkeys.Key(10+i), devkeys.Key(consKeys[i]))
	if err != nil {
		x.fail(err)
		return nil
	}
	return x.call(cold, b)
}

// maybeFree signs call from dev key i with no fee when the chain would take
// it so (the sender is eligible for the fee-free path), else paying the
// minimum fee. One such tx per sender per block.
func (x *gen) maybeFree(i int, call types.Call) *types.Tx {
	if x.err != nil {
		return nil
	}
	k := devkeys.Key(i)
	from := crypto.PubkeyToAddress(k.PublicKey)
	n := x.nonce(from)
	tx, err := types.SignTx(types.TxData{ChainID: x.c.ChainID(), Nonce: n, Call: call}, k)
	if err != nil {
		x.fail(err)
		return nil
	}
	if _, err := x.c.CheckTx(x.c.State(), tx); errors.Is(err, chain.ErrFeeTooLow) {
		tx, err = chain.SignPayingMinFee(x.c.Params(), types.TxData{ChainID: x.c.ChainID(), Nonce: n, Call: call}, k)
		if err != nil {
			x.fail(err)
			return nil
		}
	}
	return tx
}

// pow solves a PowRegister for miner hotkey dev key hk on netuid at the
// head, for the miners' coldkey, and signs it fee-free.
func (x *gen) pow(netuid uint16, hk int) *types.Tx {
	if x.err != nil {
		return nil
	}
	diff, err := x.q.difficulty(netuid)
	if err != nil {
		x.fail(err)
		return nil
	}
	head, _ := x.store.Head()
	hot := devkeys.Address(hk)
	const maxTries = 1 << 24
	for nonce := uint64(0); nonce < maxTries; nonce++ {
		if subnet.CheckWork(types.PowSeal(netuid, hot, MinerColdkey(), head.Hash, nonce), diff) {
			return x.free(hk, &types.PowRegister{Netuid: netuid, Coldkey: MinerColdkey(), BlockNumber: head.Height, Nonce: nonce})
		}
	}
	x.fail(fmt.Errorf("no PoW solution for difficulty %d in %d tries", diff, maxTries))
	return nil
}

// ethTransfer is a transfer signed as an Ethereum wallet signs it (legacy
// EIP-155 or EIP-1559) at the base fee.
func (x *gen) ethTransfer(i int, to types.Address, amount uint64, dynamic bool) *types.Tx {
	if x.err != nil {
		return nil
	}
	k := devkeys.Key(i)
	n := x.nonce(crypto.PubkeyToAddress(k.PublicKey))
	chainID := new(big.Int).SetUint64(x.c.ChainID())
	price := types.RaoToWei(x.c.Params().BaseFeePerWeight)
	gas := types.EthGasUsed(types.MaxEthTransferSize)
	var inner ethtypes.TxData = &ethtypes.LegacyTx{Nonce: n, GasPrice: price, Gas: gas, To: &to, Value: types.RaoToWei(amount)}
	if dynamic {
		inner = &ethtypes.DynamicFeeTx{ChainID: chainID, Nonce: n, GasTipCap: new(big.Int), GasFeeCap: price, Gas: gas, To: &to, Value: types.RaoToWei(amount)}
	}
	etx, err := ethtypes.SignNewTx(k, ethtypes.LatestSignerForChainID(chainID), inner)
	if err != nil {
		x.fail(err)
		return nil
	}
	raw, err := etx.MarshalBinary()
	if err != nil {
		x.fail(err)
		return nil
	}
	tx, err := types.DecodeTx(raw)
	if err != nil {
		x.fail(err)
		return nil
	}
	return tx
}

// doubleSign is evidence that consensus key dev key i precommitted two
// blocks at height h.
func (x *gen) doubleSign(i int, h uint64) types.Evidence {
	a := types.Vote{Type: types.Precommit, Height: h, BlockHash: types.Keccak256([]byte("golden fork a"))}
	b := a
	b.BlockHash = types.Keccak256([]byte("golden fork b"))
	if err := a.Sign(x.c.ChainID(), devkeys.Key(i)); err != nil {
		x.fail(err)
	}
	if err := b.Sign(x.c.ChainID(), devkeys.Key(i)); err != nil {
		x.fail(err)
	}
	return types.Evidence{A: a, B: b}
}
