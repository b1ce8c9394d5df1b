from django.core.management.base import BaseCommand

from shop.demo import DEMO_ACCOUNTS_HELP, demo_load
from shop.demo_history import history_load


class Command(BaseCommand):
    help = "Load the Wumeng Market demo data (refused with production settings). Safe to run again."

    def handle(self, *args, **options):
        demo_load(log=self.stdout.write)
        history_load(log=self.stdout.write)
        self.stdout.write(DEMO_ACCOUNTS_HELP)
