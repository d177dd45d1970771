"""目标责任书 page: signing state per unit, generating, previewing and printing letters (page.py),
and the template and marking dialogs."""
