//! The shared conformance suite on postgres.

cocreate_store::conformance_suite!(cocreate_testkit::fresh_postgres);
