"""Domain logic and data access of the contact platform.

Lambda sees this package as ``chalicelib`` (``functions/chalicelib`` is a symlink to it), and so
does every other process: import it as ``chalicelib`` everywhere, so that one module is never
loaded twice under two names. Modules inside use relative imports.
"""
