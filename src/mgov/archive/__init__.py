"""The records archive (issue 19): every WARC record mgov writes or imports, indexed as pywb
indexes it plus mgov's own fields (`store`, `cdxj`), captures of other tools brought in
(`importer`), fixity checked (`verify`), and the commands as services (`service`).

The writing side lives in the collect layer, which every collector uses: the writer's
sidecar index (`collect.warc_index`), sealing and recovery (`collect.warc_files`), reading
files back (`collect.warc_scan`); a run folds its index into the database with its findings
(`runs.index_store`). See docs/archive.md.
"""
