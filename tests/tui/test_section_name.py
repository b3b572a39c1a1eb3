"""Section paths in lists and tables: the file name first, the folder after it."""

from amts.tui.widgets.section_name import section_cell, section_label


def test_the_file_name_comes_before_its_folder():
    path = "chapter_appendix-tools-for-deep-learning/aws.md"
    assert section_cell(path).plain == "aws.md chapter_appendix-tools-for-deep-learning"
    assert section_label(path, 12).plain == "aws.md (12) chapter_appendix-tools-for-deep-learning"
    # A path without a folder is just its name; brackets are shown as written, never markup.
    assert section_cell("[draft].md").plain == "[draft].md"
    assert section_label("index.md").plain == "index.md"


def test_a_narrow_column_cuts_the_folder_not_the_name():
    from rich.console import Console

    console = Console(width=80, color_system=None)
    cell = section_cell("chapter_appendix-tools-for-deep-learning/aws.md")
    lines = console.render_lines(cell, console.options.update_width(20), pad=False)
    assert ["".join(segment.text for segment in line) for line in lines] == ["aws.md chapter_appe…"]
