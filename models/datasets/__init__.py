"""The datasets the playground knows (``specs``), how they split (``splits``), how their upstream
files are read (``parsers``) and found, downloaded or replaced by samples (``registry``), and users'
own files (``upload``). Depends only on ``models.core``."""
