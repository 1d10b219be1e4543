// Package predict is an example subnet: a prediction market that shows
// the neuron SDK end to end, and the tutorial of docs/subnets.md.
//
// Validators hold labelled points y = Truth(x) + noise (Dataset); miners
// serve predictions of y for the x's of a Request on an axon (RunMiner);
// validators send every serving miner the same fresh batch each round
// through a dendrite, score each answer by Accuracy and latency
// (RoundScore) into a moving average per UID (Scores), and set u16
// weights from the averages once per tempo (RunValidator).
//
// The kinds of miner differ only in their Model: Good knows Truth, Slow
// answers late, Random guesses, Copier forwards to another miner's axon
// and answers later than it, and RunOffline announces an axon it never
// serves. A validator with Friend set is a colluder: it queries no one
// and weights its friend whatever it answers.
//
// Floating point is fine here: this is off-chain code. What reaches the
// chain is u16 weights, through the client library.
//
// Data flow of one validator round:
//
//	Dataset.Batch ──► dendrite.Query (signed, concurrent, timeout)
//	                      │ per UID: status, latency, verified Response
//	                      ▼
//	Accuracy × latency ──► Scores.Update (EMA) ──► each tempo: weightsOf ──► client.SetWeights
package predict
