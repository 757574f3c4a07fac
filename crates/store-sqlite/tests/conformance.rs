//! The shared conformance suite on sqlite.

cocreate_store::conformance_suite!(cocreate_testkit::fresh_sqlite);
