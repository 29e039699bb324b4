"""Grading a class: a folder of submissions in, a gradebook, feedback and a summary out.

``submissions`` finds one graded file per student (refusing bad input with a reason),
``assignment`` reads the instructor's TOML file, ``batch`` grades in worker processes and
keeps every result in the out folder, ``summary`` says what the class got wrong, and the
exporters (plugins) write the results in the formats other tools read.
"""
