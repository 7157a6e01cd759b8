package history

// QuickPlan is the fast reader, for the tests that hold it to the decoder.
var QuickPlan = quickPlan

// NewMemo and QuickPlanMemo expose the memo for TestMemo.
func NewMemo() *memo { return &memo{} }

var QuickPlanMemo = quickPlanMemo

// WalkWithoutMemo makes the walk read every version alone.
var WalkWithoutMemo = &walkWithoutMemo

// TreeBatch is how many commits the walk hands over at once to compare.
var TreeBatch = &treeBatch

// SameBuyer is sameBuyer, for TestSameBuyerNames.
var SameBuyer = sameBuyer

// SamePlanBuyer is samePlanBuyer, for TestSameBuyerNames.
var SamePlanBuyer = samePlanBuyer
