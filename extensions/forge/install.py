# StableQueue needs nothing beyond what Forge / AUTOMATIC1111 already ship:
# its API client uses only Python's standard library (urllib).
# Forge runs this file when the extension is installed or updated; there is nothing to do.
