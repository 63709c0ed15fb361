from search_service.cli import main

main()
