// Package consensus is taod's BFT consensus: the Tendermint algorithm
// (Buchman, Kwon, Milosevic, "The latest gossip on BFT consensus", 2018) as a
// pure, deterministic state machine in the style of etcd's raft RawNode.
//
// An Engine decides one height at a time. Each height runs rounds; each round
// has a proposer (weighted round-robin by voting power, ValidatorSet) and three
// steps: the proposer proposes a block, every validator prevotes for it (or
// nil), and precommits for it once > 2/3 of the power prevoted it (or nil). A
// block with precommits from > 2/3 of the power is decided: final, no forks,
// no reorgs. A validator that precommits a block is locked on it and prevotes
// only that block in later rounds, unless it sees > 2/3 prevotes for another
// block from a later round than its lock (a proof of lock, POL). Rounds fail
// by timeouts that grow with the round, so after the network stabilises some
// round is long enough for all honest validators to hear each other. Safety
// holds whatever the network does while byzantine validators hold < 1/3 of
// the power; liveness needs the network to deliver messages eventually.
//
// # Data in, data out
//
// The engine has no goroutines, clocks, network, disk or randomness, and
// never iterates a map where the order could show. Everything enters through
//
//   - NewHeight(HeightParams): start a height with its validator set,
//   - Step(Msg): a Message from a peer (a signed Proposal with its block, or
//     a signed vote), a Decision from block sync, or the driver's answer to a
//     request (ProposalBlock, Validated),
//   - Tick(): one unit of logical time; timeouts and rebroadcasts count ticks,
//
// and everything leaves through Ready, which the driver handles and then
// acknowledges with Advance. The same inputs give the same outputs; the
// simulator in consensus/sim relies on that to replay any run from its seed.
//
// The engine does not call the application. It asks through Ready: for a
// block to propose (NeedProposal: the proposer builds it from the txpool and
// executes it), for proposed blocks to be executed (ToValidate: DESIGN.md §2
// has validators execute a proposal before prevoting; an invalid block gets a
// nil prevote), and it hands over decided blocks (Commit). Answers may come
// later (execution can run in another goroutine of the driver); until then a
// rule that needs the answer waits, and the round's timeout bounds the wait.
//
// # The Ready contract
//
// A Ready stays pending until Advance; output produced meanwhile waits for the
// next Ready. The driver must handle a Ready in this order:
//
//  1. Persist: encode each Record (Record.Encode), append them to the WAL
//     (consensus/wal) and fsync, before sending any message of Broadcast. A
//     restarted validator then never signs two different messages at one
//     height, round and step: its WAL says what it signed. If the append fails,
//     stop the node; never send those messages.
//  2. Broadcast: gossip the messages to the validators (Message.Encode).
//  3. Evidence: add it to the evidence pool; the proposer puts pending evidence
//     in its next block.
//  4. ToValidate: execute each block against the head state and answer
//     Step(Validated{Height, Hash, Valid}); keep the result, so that a decided
//     block need not be executed twice.
//  5. NeedProposal: build and execute a block for (Height, Round) with the
//     request's LastCommit and pending evidence, and answer
//     Step(ProposalBlock{Height, Round, Block}). A late answer is ignored.
//  6. Commit: apply the block and store it with its commit in one synced
//     batch, store the next height's validator set (ValidatorSet.Next of the
//     set the chain says governs it, with its priorities, ValidatorSet.Encode),
//     then call NewHeight for the next height. Only then may the WAL drop the
//     records of decided heights (wal.WAL.Compact).
//  7. Advance(rd).
//
// Persist-before-send is raft's rule that messages go out only after the
// state they reveal is durable. Whatever is in Persist, the engine already
// treats as signed; a crash before the fsync returns loses records that were
// never sent, and the torn tail is truncated when the WAL is reopened.
//
// Time is internal: the engine keeps its own timeouts in ticks, so Ready has
// no timeouts to schedule. Call Tick at a fixed interval (the defaults assume
// 10 ms). Config.Timeouts sets base + delta × round for each step.
//
// # Driver loop
//
// node/driver owns the engine, in production and under consensus/sim alike.
// In outline (the real loop calls the application inline, one input at a
// time):
//
//	recs := replay(wal.Open(fs, path))             // decode with DecodeRecord
//	e, _ := consensus.New(cfg)                     // ChainID, Signer, Timeouts
//	e.Restore(recs)
//	e.NewHeight(consensus.HeightParams{Height: head+1, Validators: storedSet(head+1), LastCommit: storedCommit(head)})
//	for {
//		select {
//		case <-ticker.C:       e.Tick()
//		case m := <-p2pIn:     if err := e.Step(m); err != nil { p2p.Penalise(m.From) }
//		case d := <-syncIn:    e.Step(d)              // consensus.Decision from block sync
//		case <-ctx.Done():     return ctx.Err()
//		}
//		for e.HasReady() {
//			rd := e.Ready()
//			must(w.Append(encode(rd.Persist)...))  // 1: fsync before sending
//			for _, m := range rd.Broadcast { p2p.Publish(m) }
//			pool.Add(rd.Evidence...)
//			for _, b := range rd.ToValidate { e.Step(execute(b)) }   // Validated
//			if rd.NeedProposal != nil { e.Step(build(rd.NeedProposal)) }
//			if d := rd.Commit; d != nil {
//				must(chain.Commit(executed(d.Block), d.Commit))   // one synced batch
//				e.NewHeight(nextParams(d))
//			}
//			e.Advance(rd)
//		}
//	}
//
// # Invariants
//
//   - The engine signs at most one proposal per height and round, and one
//     prevote and one precommit per height, round and type. Own messages come
//     from the signed map, rebuilt by Restore from the WAL; an own vote seen on
//     the wire is recorded too. Asked to vote again at a step, it re-sends what
//     it signed there.
//   - It never signs below the highest height in its restored WAL, nor at a
//     height other than the current one.
//   - The lock changes only when the engine precommits a block, and survives
//     restarts: the WAL record of that precommit holds the block and the
//     prevotes that justify it.
//   - A decision needs > 2/3 of the height's power precommitting one known,
//     valid block in one round, or a commit that VerifyCommit accepts.
//   - What a peer can make the engine hold is bounded: two proposals per
//     round, proposals at most 8 rounds ahead, each validator's votes in at
//     most two rounds ahead and for at most three values per round and type
//     (beyond that only votes that come with a proof), and for the next
//     height only verified messages of members of its set, per validator at
//     most MaxFuturePerValidator messages and MaxFutureBytesPerValidator
//     bytes, in total MaxFutureMessages and MaxFutureBytes, each validator
//     sure of its fair share (future.go).
//
// # Beyond the paper
//
// Each of these only helps liveness; safety is the paper's:
//
//   - A re-proposal carries its proof of lock (Message.POL): past rounds'
//     votes are not gossiped again, and a validator without them could not
//     prevote the block, leaving locked and unlocked validators short of 2/3.
//   - Votes count per value: an equivocating validator counts for each value
//     it voted for, as the paper counts messages. With < 1/3 byzantine power at
//     most one value can still reach 2/3, and a proof of lock that relies on an
//     equivocator's vote stays a proof for validators that saw its other vote.
//   - A proof of lock seen after its round still updates the valid value.
//   - Rules that need "the proposal of round r for v" take any block with hash
//     v proposed at the height; the proposer starts the propose timeout too.
//   - Every Config.RebroadcastTicks the engine re-sends its current messages,
//     so lost messages do not stall a round.
//   - Precommits for the current height carried in a next-height proposal's
//     LastCommit are counted, so a validator that missed them decides anyway:
//     once per block, from a proposal signed by a member of the next set,
//     and only if the commit's form can hold (no more signatures than
//     validators, distinct members, > 2/3 of the power named), so its cost
//     is at most one recovery per validator.
package consensus
