"""The pages of the main window, in navigation order. Each area adds its page here."""


def page_classes():
    from gui.views.framework.assignments import AssignmentsPage
    from gui.views.audit import AuditLogPage
    from gui.views.safety import SafetyPage
    from gui.views.scoring import ScoringPage
    from gui.views.framework.page import FrameworkPage
    from gui.views.groups import GroupsPage
    from gui.views.home import HomePage
    from gui.views.letters.page import LettersPage
    from gui.views.materials import MaterialsPage
    from gui.views.remind import RemindPage
    from gui.views.settings import SettingsPage
    from gui.views.supervision import SupervisionPage
    from gui.views.units.page import UnitsPage

    return [HomePage, FrameworkPage, AssignmentsPage, UnitsPage, RemindPage, LettersPage, SupervisionPage, MaterialsPage,
            ScoringPage, GroupsPage, SafetyPage, AuditLogPage, SettingsPage]
