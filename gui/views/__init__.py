"""The pages of the main window, in navigation order. Each area adds its page here."""


def page_classes():
    from gui.views.assignments import AssignmentsPage
    from gui.views.framework import FrameworkPage
    from gui.views.settings import SettingsPage
    from gui.views.units import UnitsPage

    return [FrameworkPage, AssignmentsPage, UnitsPage, SettingsPage]
