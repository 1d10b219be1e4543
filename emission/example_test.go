package emission_test

import (
	"fmt"

	"github.com/taonet/taod/emission"
)

func ExampleBlockReward() {
	for _, taoIssued := range []uint64{0, 10_500_000, 15_750_000, 21_000_000} {
		i := taoIssued * emission.RaoPerTAO
		fmt.Printf("at %d TAO: era %d, reward %d rao\n", taoIssued, emission.Era(i), emission.BlockReward(i))
	}
	// Output:
	// at 0 TAO: era 0, reward 1000000000 rao
	// at 10500000 TAO: era 1, reward 500000000 rao
	// at 15750000 TAO: era 2, reward 250000000 rao
	// at 21000000 TAO: era 55, reward 0 rao
}

func ExampleRecycle() {
	issuance := 10_500_000 * emission.RaoPerTAO // just crossed the first halving
	fmt.Println(emission.BlockReward(issuance))
	issuance, err := emission.Recycle(issuance, 21_000) // a transfer's fee
	if err != nil {
		panic(err)
	}
	fmt.Println(emission.BlockReward(issuance)) // back in era 0
	// Output:
	// 500000000
	// 1000000000
}

func ExampleSplitOwnerCut() {
	owner, rest := emission.SplitOwnerCut(emission.RaoPerTAO, 180_000) // 18%
	miners, validators := emission.Split(rest)
	fmt.Println(owner, miners, validators, owner+miners+validators)
	// Output: 180000000 410000000 410000000 1000000000
}
