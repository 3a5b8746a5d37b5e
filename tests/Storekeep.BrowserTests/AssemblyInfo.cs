// Browser tests share two cores with Chromium and Lighthouse: one at a time keeps Lighthouse's
// performance measurements from being disturbed by another test's browser.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
