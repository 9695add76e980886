"""New-media capture (issue 17): the `capture` run kind. Each registered account is read by its
platform adapter (collect.platforms), completed with what mgov's records know (its previous
profile, its posts' stored versions, the registry's filed changes, its siblings, the outcome
of every link) into `NewMediaEvidence`, judged by the `newmedia.*` checks, and stored with
every version of every post. Importing this package imports nothing."""
